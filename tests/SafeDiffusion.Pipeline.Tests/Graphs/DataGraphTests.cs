using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Pipeline.Tests.Support;

namespace SafeDiffusion.Pipeline.Tests.Graphs;

/// <summary>
/// The data graph (clean captions + LLM prompts -> images -> dataset) through the real command line, on the
/// tiny-sd1 reference model and a tiny random llama: every stage writes valid artifacts and the manifest says so.
/// </summary>
public sealed class DataGraphTests : IDisposable
{
    private readonly DataGraphWorkspace _workspace = new("data-graph");

    private string WriteConfig() => _workspace.WriteConfig();

    private Task<(int Code, string Out, string Err)> Pipeline(params string[] args) => _workspace.PipelineAsync(args);

    [Fact]
    public async Task The_data_graph_writes_prompts_images_and_a_split_dataset_and_a_rerun_is_up_to_date()
    {
        var config = WriteConfig();

        var (code, stdout, stderr) = await Pipeline("run", "data", "--config", config);

        Assert.True(code == 0, stderr);
        var store = new RunStore(_workspace.Runs);
        var manifest = store.ReadManifest("latest");
        foreach (var stage in new[] { "laion-prompts", "harmful-prompts", "images", "dataset" })
        {
            Assert.Equal(StageStatus.Completed, manifest.Stages[stage].Status);
            Assert.NotEmpty(manifest.Stages[stage].Artifacts);
        }
        var runDir = Path.Combine(store.Root, manifest.RunId);
        var images = await new ParquetPartReader<ImageRecord>(ImagesSchema.Instance).ReadAsync(Path.Combine(runDir, "images")).ToListAsync();
        Assert.Equal(3 + 2, images.Count);
        Assert.All(images, i => Assert.Equal((32, 32), (i.Width, i.Height)));
        Assert.Contains(images, i => i.Label == PromptLabel.Harmful);
        var dataset = DatasetManifest.Read(Path.Combine(runDir, "dataset", DatasetManifest.FileName));
        Assert.Equal(images.Count, dataset.CleanTrainRows + dataset.HarmfulTrainRows + dataset.HoldoutRows);
        Assert.Contains("images", stdout);

        var (again, _, againErr) = await Pipeline("run", "data", "--config", config, "--run", "latest");
        Assert.True(again == 0, againErr);
        Assert.Contains("up to date", againErr);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task When_the_prompts_change_the_images_of_prompts_no_longer_given_leave_the_images_and_the_dataset()
    {
        var (code, _, stderr) = await Pipeline("run", "data", "--config", _workspace.WriteConfig(captions: 3));
        Assert.True(code == 0, stderr);

        var (again, _, againErr) = await Pipeline("run", "data", "--run", "latest", "--config", _workspace.WriteConfig(captions: 2));

        Assert.True(again == 0, againErr);
        var store = new RunStore(_workspace.Runs);
        var runDir = Path.Combine(store.Root, store.ReadManifest("latest").RunId);
        var prompts = new HashSet<string>();
        foreach (var stage in new[] { "laion-prompts", "harmful-prompts" })
        await foreach (var p in new ParquetPartReader<PromptRecord>(PromptsSchema.Instance).ReadAsync(Path.Combine(runDir, stage, "prompts")))
            prompts.Add(p.PromptId);
        Assert.Equal(2 + 2, prompts.Count);
        var images = await new ParquetPartReader<ImageRecord>(ImagesSchema.Instance).ReadAsync(Path.Combine(runDir, "images")).ToListAsync();
        Assert.Equal(prompts.Order(), images.Select(i => i.PromptId).Order());
        var dataset = DatasetManifest.Read(Path.Combine(runDir, "dataset", DatasetManifest.FileName));
        Assert.Equal(4, dataset.CleanTrainRows + dataset.HarmfulTrainRows + dataset.HoldoutRows);
    }

    [Fact]
    public async Task A_single_stage_without_a_run_is_a_usage_error_naming_the_fix()
    {
        var config = WriteConfig();
        var (code, _, stderr) = await Pipeline("run", "images", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("--run", stderr);
    }

    [Fact]
    public async Task An_unknown_config_key_stops_the_run_before_any_stage_with_file_and_line()
    {
        var config = WriteConfig();
        File.AppendAllText(config, "\n    bacth-size: 4\n");
        var (code, _, stderr) = await Pipeline("run", "data", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("data.yaml:", stderr);
        Assert.Contains("batchSize", stderr);
        Assert.False(Directory.Exists(_workspace.Runs));
    }

    public void Dispose() => _workspace.Dispose();
}
