using System.CommandLine;
using System.Globalization;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Writer;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Shipping;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline world build|verify`: the shipped tiny world (<c>data/tiny-world</c>). <c>build</c> makes every artifact from
/// nothing with the profile's recipe and writes the manifest; <c>verify</c> checks a folder's files against its manifest
/// and its recipes against the profile, and re-measures the base model's quality gate on this machine.
/// </summary>
internal static class WorldCommand
{
    public const string DefaultFolder = "data/tiny-world";

    private static readonly Dictionary<string, string> Profiles = new(StringComparer.Ordinal)
    {
        ["full"] = "tiny.yaml",
        ["smoke"] = "tiny-smoke.yaml",
    };

    public static Command Create(CliEnvironment env)
    {
        var command = new Command("world", "Build or verify the shipped tiny world (data/tiny-world).") { Build(env), Verify(env) };
        return command;
    }

    private static Option<string> Profile() => new("--profile")
    {
        Description = "Which world: full (configs/tiny.yaml, what `run full` uses) or smoke (configs/tiny-smoke.yaml).",
        DefaultValueFactory = _ => "full",
    };

    private static Command Build(CliEnvironment env)
    {
        var profile = Profile();
        var output = new Option<string>("--out") { Description = "The folder to write (must be empty or absent).", HelpName = "DIR", DefaultValueFactory = _ => DefaultFolder };
        var command = new Command("build", "Build every tiny-world artifact from nothing and write data/tiny-world/manifest.json.") { profile, output };
        command.SetAction(async (parse, ct) =>
        {
            var name = parse.GetValue(profile)!;
            var (world, writer) = Load(name, env);
            var folder = Path.GetFullPath(parse.GetValue(output)!, env.WorkingDirectory);
            var rebuild = $"pipeline world build --profile {name} --out {parse.GetValue(output)}";
            var manifest = await WorldPackage.BuildAsync(world, writer, folder, name, rebuild, new PlainProgressSink(env.Error), ct);
            env.Out.WriteLine($"{folder}: {manifest.Artifacts.Count} artifacts, {manifest.Artifacts.Sum(a => a.Files.Count)} files, " +
                              $"{manifest.Artifacts.SelectMany(a => a.Files).Sum(f => f.Bytes) / 1e6:F1} MB");
            if (manifest.Gate is { } gate) env.Out.WriteLine($"quality gate: {gate.Summary}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify(CliEnvironment env)
    {
        var profile = Profile();
        var folderOption = new Option<string>("--dir") { Description = "The world folder to check.", HelpName = "DIR", DefaultValueFactory = _ => DefaultFolder };
        var noGate = new Option<bool>("--no-gate") { Description = "Check files and recipes only; skip re-measuring the quality gate." };
        var command = new Command("verify", $"Check a world folder's sha256s and recipes, and re-measure its quality gate. Exit {ExitCodes.CheckFailed} when a file, a recipe or the gate's figures differ.")
        {
            profile, folderOption, noGate,
        };
        command.SetAction((parse, ct) =>
        {
            var (world, writer) = Load(parse.GetValue(profile)!, env);
            var folder = Path.GetFullPath(parse.GetValue(folderOption)!, env.WorkingDirectory);
            var result = WorldPackage.Verify(folder, world, writer, !parse.GetValue(noGate), new PlainProgressSink(env.Error), ct);
            foreach (var problem in result.Problems) env.Out.WriteLine($"differs: {problem}");
            foreach (var missing in result.MissingRecipes) env.Out.WriteLine($"missing: {missing} (the profile's recipe is not in this folder; rebuild it)");
            env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.FilesChecked} files checked, {result.Problems.Count} differ, {result.MissingRecipes.Count} recipes missing"));
            if (result.ShippedGate is { } shipped) env.Out.WriteLine($"quality gate at build time:  {shipped.Summary}");
            if (result.MeasuredGate is { } measured) env.Out.WriteLine($"quality gate on this machine: {measured.Summary}");
            if (result.GateReproduced is { } same) env.Out.WriteLine(same ? "the gate's figures reproduce" : "the gate's figures DIFFER from the manifest's");
            return Task.FromResult(result.Passed ? ExitCodes.Success : ExitCodes.CheckFailed);
        });
        return command;
    }

    private static (TinyWorldConfig World, HarmfulPromptsConfig Writer) Load(string profile, CliEnvironment env)
    {
        if (!Profiles.TryGetValue(profile, out var file))
            throw new UsageException($"--profile: no profile '{profile}'; profiles: {string.Join(", ", Profiles.Keys)}.");
        var loaded = LoadedConfig.LoadBuiltIn(file, [], env.WorkingDirectory);
        var binder = new ConfigBinder(loaded.Document);
        var world = binder.Bind<TinyWorldConfig>(loaded.Config.World, "world");
        var writer = binder.Bind<HarmfulPromptsConfig>(loaded.Config.Stages.GetValueOrDefault(HarmfulPromptWriter.StageName), $"stages.{HarmfulPromptWriter.StageName}");
        binder.ThrowIfAny();
        return (world, writer);
    }
}
