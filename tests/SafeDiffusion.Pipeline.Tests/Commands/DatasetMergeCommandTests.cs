using System.Security.Cryptography;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Pipeline.Tests.Commands;

/// <summary>`pipeline dataset merge` given paths as a shell hands them over: relative, globbed with a trailing '/', through links.</summary>
public sealed class DatasetMergeCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Runs_given_as_relative_folders_with_trailing_slashes_merge_as_the_readme_recipe_does()
    {
        var first = await WriteRunAsync(0);
        var second = await WriteRunAsync(4);

        // What `pipeline dataset merge runs/2*/ --out merged` receives from the shell.
        var (code, output, error) = await RunAsync("dataset", "merge", $"runs/{first}/", $"runs/{second}/", "--out", "merged/", "--runs", "runs/");

        Assert.True(code == 0, error + output);
        var merged = DatasetManifest.Read(_dir.File("merged", DatasetManifest.FileName));
        Assert.Equal(8, merged.CleanTrainRows + merged.HarmfulTrainRows + merged.HoldoutRows);
        Assert.Equal(2, merged.HoldoutRows);
    }

    [Fact]
    public async Task A_link_to_a_run_folder_merges_as_the_run_it_points_at()
    {
        var first = await WriteRunAsync(0);
        var second = await WriteRunAsync(4);
        Directory.CreateSymbolicLink(_dir.File("job-b"), _dir.File("runs", second));

        var (code, output, error) = await RunAsync("dataset", "merge", $"./runs/../runs/{first}", "job-b/", "--out", "merged", "--runs", "runs");

        Assert.True(code == 0, error + output);
        var merged = DatasetManifest.Read(_dir.File("merged", DatasetManifest.FileName));
        Assert.Equal(8, merged.CleanTrainRows + merged.HarmfulTrainRows + merged.HoldoutRows);
    }

    private async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliHost.RunAsync(args, CliEnvironment.ForTest(output, error, _dir.Path));
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A finished run whose dataset holds images first..first+3: three train rows and one holdout row.</summary>
    private async Task<string> WriteRunAsync(int first)
    {
        var store = new RunStore(_dir.File("runs"));
        string id;
        string runDirectory;
        using (var run = store.Create(ConfigDocument.Parse("name: toy\nseed: 1\n", "toy.yaml"), new PipelineConfig { Name = "toy" }))
        {
            id = run.Id;
            runDirectory = run.Directory;
        }
        // Two runs made within the same second differ in their random suffix.
        var dataset = Path.Combine(runDirectory, DatasetStage.DefaultName);
        var rows = Enumerable.Range(first, 4).Select(i => Image(i, i == first ? DatasetSplit.Holdout : DatasetSplit.Train)).ToList();
        await WritePartsAsync(Path.Combine(dataset, "train"), rows.Where(r => r.Split == DatasetSplit.Train));
        await WritePartsAsync(Path.Combine(dataset, "holdout"), rows.Where(r => r.Split == DatasetSplit.Holdout));
        new DatasetManifest("dataset/train", "dataset/holdout",
            rows.Count(r => r.Split == DatasetSplit.Train && r.Label == PromptLabel.Clean),
            rows.Count(r => r.Split == DatasetSplit.Train && r.Label == PromptLabel.Harmful),
            1, new Dictionary<string, long>()).Write(Path.Combine(dataset, DatasetManifest.FileName));
        return id;
    }

    private static async Task WritePartsAsync(string folder, IEnumerable<ImageRecord> rows)
    {
        await using var writer = await ParquetPartWriter<ImageRecord>.OpenAsync(folder, ImagesSchema.Instance);
        foreach (var row in rows) await writer.WriteAsync(row);
        await writer.CompleteAsync();
    }

    private static ImageRecord Image(int i, DatasetSplit split)
    {
        var png = TestImages.NoisyPng(8, 8, i);
        return new ImageRecord($"img-{i:D3}", $"p-{i}", $"prompt {i}", i % 2 == 0 ? PromptLabel.Clean : PromptLabel.Harmful,
            i % 2 == 0 ? "laion" : "hate", png, 8, 8, i, 20, 7.5, "pndm", "tiny", Convert.ToHexStringLower(SHA256.HashData(png)), split);
    }
}
