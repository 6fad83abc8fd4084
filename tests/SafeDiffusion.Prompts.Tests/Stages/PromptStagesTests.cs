using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Stages;
using SafeDiffusion.Prompts.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Prompts.Tests.Stages;

[Collection(TinyModelCollection.Name)]
public class PromptStagesTests(TinyModelFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A new run folder with its manifest, made by the store as `pipeline run` makes it.</summary>
    private Run OpenRun(ConfigDocument document, PipelineConfig config) => new RunStore(_dir.File("runs")).Create(document, config);

    [Fact]
    public async Task Both_prompt_stages_run_in_a_graph_stream_their_records_and_record_metrics()
    {
        File.WriteAllLines(_dir.File("captions.txt"), ["a lighthouse on a cliff at dusk", "a bowl of fruit on a wooden table", "a red bicycle leaning on a wall"]);
        var yaml = $"""
            name: prompts-test
            seed: 21
            devices: [{"{"} id: cpu, memory: 4GiB {"}"}]
            models:
              writer: {"{"} path: "{fixture.ModelPath}" {"}"}
            stages:
              harmful-prompts:
                model: writer
                context-size: 8192
                parallel-requests: 8
                prompts-per-request: 3
                prompts-per-category: 3
                max-prompt-chars: 160
                categories: [{"{"} name: violence {"}"}, {"{"} name: hate {"}"}]
              laion-prompts:
                input: "{_dir.File("captions.txt")}"
                sample-size: 2
            """;
        var document = ConfigDocument.Parse(yaml, "test.yaml");
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        var store = new JsonLinesPromptStore();
        IStage[] stages = [new HarmfulPromptsStage(store), new LaionPromptsStage(store)];
        var graph = new StageGraph("prompts", stages);
        var configs = StageConfigs.Bind(stages, config, document);
        using var run = OpenRun(document, config);
        var env = new PipelineEnvironment(run, config, document, DeviceScheduler.FromConfig(config), NullProgressSink.Instance,
            new ModelCatalog(config.Models, [], _dir.Path), ShardSpec.All);

        var result = await new GraphRunner().RunAsync(graph, configs, env,
            new RunSelection(new HashSet<string> { "harmful-prompts", "laion-prompts" }), CancellationToken.None);

        Assert.Equal(["harmful-prompts", "laion-prompts"], result.Executed);
        // Read what the stages wrote: GraphResult.Outputs can miss records still queued in the runner's collector
        // when a terminal stage's block completes.
        List<PromptRecord> Written(string stage) => File.ReadAllLines(run.ArtifactPath(Assert.Single(run.Stage(stage).Artifacts)))
            .Select(l => System.Text.Json.JsonSerializer.Deserialize<PromptRecord>(l)!).ToList();
        Assert.Equal(6, Written("harmful-prompts").Count(r => r.Label == PromptLabel.Harmful && r.Source == "llm"));
        Assert.Equal(2, Written("laion-prompts").Count(r => r.Label == PromptLabel.Clean && r.Source == "laion"));
        var harmful = run.Stage("harmful-prompts");
        Assert.Equal(StageStatus.Completed, harmful.Status);
        Assert.Equal(6, harmful.Metrics["prompts_emitted"]);
        Assert.True(harmful.Metrics["tokens_per_second"] > 0);
        Assert.True(harmful.Metrics.ContainsKey("prompts_dropped_near_duplicate"));
        Assert.StartsWith("ModelTemplate", harmful.Notes["chat_format"]);
        var laion = run.Stage("laion-prompts");
        Assert.Equal(3, laion.Metrics["captions_passed"]);
        Assert.Equal(2, laion.Metrics["captions_sampled"]);
        Assert.Equal(0, env.Devices.Used("cpu").Bytes);
    }
}
