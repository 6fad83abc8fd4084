using System.CommandLine;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Merging;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Pipeline.Cli;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline dataset merge RUN-OR-FOLDER... --out DIR [--expect N]`: the shards of a sharded job (or any runs'
/// datasets) as one dataset, after checking schemas, duplicates and shard coverage.
/// </summary>
internal static class DatasetCommand
{
    public static Command Create(CliEnvironment env)
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description = "Runs (id, pointer such as latest, or run folder) whose datasets to merge, or dataset folders / folders of part files.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out") { Description = "New folder for the merged dataset.", Required = true, HelpName = "DIR" };
        var expect = new Option<int?>("--expect") { Description = "The shard count N the inputs must cover (0..N-1); default: what the inputs say.", HelpName = "N" };
        var allowMissing = new Option<bool>("--allow-missing") { Description = "Merge even when shards are missing (they are still listed)." };
        var sortMemory = new Option<int>("--sort-memory-mb")
        {
            Description = "Memory for putting the merged rows in id order; larger datasets are sorted in runs spilled beside the output.",
            DefaultValueFactory = _ => new MergeOptions().SortMemoryMb,
            HelpName = "MB",
        };
        var runs = CommonOptions.Runs();
        var config = CommonOptions.Config();
        config.Description = "Config whose runs.root holds the runs named by id (default: the built-in tiny profile's, ./runs).";
        var merge = new Command("merge", "Merge shards (or runs) into one dataset: same schema, duplicates checked, missing shards listed.")
        {
            inputs, output, expect, allowMissing, sortMemory, runs, config,
        };
        merge.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(sortMemory) < 1)
                throw new UsageException($"--sort-memory-mb {parse.GetValue(sortMemory)} is not a size; give at least 1 (default {new MergeOptions().SortMemoryMb}).");
            var root = parse.GetValue(runs) ?? LoadedConfig.Load(parse.GetValue(config), [], env.WorkingDirectory).Config.Runs.Root;
            var store = new RunStore(env.FullPath(root));
            var resolved = parse.GetValue(inputs)!.Select(i => Resolve(i, store, env)).ToList();
            var report = await DatasetMerger.MergeAsync(resolved, env.FullPath(parse.GetValue(output)!),
                new MergeOptions(parse.GetValue(expect), parse.GetValue(allowMissing), parse.GetValue(sortMemory)), ct).ConfigureAwait(false);
            env.Out.WriteLine(report.Describe());
            return ExitCodes.Success;
        });
        return new Command("dataset", "Work with datasets across runs.") { merge };
    }

    private static MergeInput Resolve(string input, RunStore store, CliEnvironment env)
    {
        // `runs/job-1/2*/` from a shell glob ends in '/': normalised, so the run's name is its folder's name.
        var path = env.FullPath(input);
        if (Directory.Exists(path) && File.Exists(Path.Combine(path, RunStore.ManifestFileName)))
        {
            // A link to a run folder stands for the run where it really is: its parent is the runs folder.
            var run = UserPath.ResolveLinks(path);
            return FromRun(new RunStore(Path.GetDirectoryName(run)!), Path.GetFileName(run), input);
        }
        if (Directory.Exists(path) || File.Exists(path)) return MergeInput.FromFolder(path);
        if (store.TryResolve(input, out var id)) return FromRun(store, id, input);
        throw new UsageException($"'{input}' is neither a folder nor a run in {store.Root}. Give run ids (see `pipeline status`) or dataset folders.");
    }

    private static MergeInput FromRun(RunStore store, string id, string name)
    {
        var manifest = store.ReadManifest(id);
        var runDirectory = Path.Combine(store.Root, manifest.RunId);
        var datasetJson = Path.Combine(runDirectory, DatasetStage.DefaultName, DatasetManifest.FileName);
        if (!File.Exists(datasetJson))
            throw new InputDataException(datasetJson, $"does not exist: run {manifest.RunId} has no finished dataset.",
                fix: $"Finish it first (`pipeline run data --run {manifest.RunId}`, with its --shard if it was sharded), or merge its images folder instead.");
        var dataset = DatasetManifest.Read(datasetJson);
        var tables = new Dictionary<string, string>
        {
            ["train"] = Path.Combine(runDirectory, dataset.TrainDirectory),
            ["holdout"] = Path.Combine(runDirectory, dataset.HoldoutDirectory),
        };
        var shards = manifest.Shard is { } s ? new[] { ShardSpec.Parse(s) } : [];
        return new MergeInput(name == manifest.RunId ? name : $"{name} ({manifest.RunId})", tables, shards);
    }
}
