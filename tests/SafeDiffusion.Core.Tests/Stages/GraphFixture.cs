using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Core.Tests.Stages;

/// <summary>A runs folder, a config, and helpers to run a graph over a new or existing run.</summary>
public sealed class GraphFixture : IDisposable
{
    private readonly TempDirectory _dir = new("graph");

    public GraphFixture(string yaml = "name: toy\n")
    {
        Yaml = yaml;
        Store = new RunStore(_dir.File("runs"));
    }

    public string Yaml { get; set; }
    public RunStore Store { get; }
    public DeviceScheduler Devices { get; } = new([new DeviceSpec("cpu", ByteSize.FromGiB(2))]);

    public async Task<(GraphResult Result, string RunId)> RunAsync(StageGraph graph, ISet<string>? execute = null, string? runId = null,
        bool force = false, CancellationToken ct = default, params string[] overrides)
    {
        var document = ConfigDocument.Parse(Yaml, "toy.yaml").WithOverrides(overrides);
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        var configs = StageConfigs.Bind(graph.Stages, config, document);
        using var run = runId is null ? Store.Create(document, config) : Store.Open(runId);
        var env = new PipelineEnvironment(run, config, document, Devices, NullProgressSink.Instance,
            new ModelCatalog(config.Models, [], _dir.Path), ShardSpec.All);
        var selection = new RunSelection((execute ?? graph.Stages.Select(s => s.Name).ToHashSet()).ToHashSet(), force);
        var result = await new GraphRunner().RunAsync(graph, configs, env, selection, ct).WaitAsync(TimeSpan.FromSeconds(30));
        return (result, run.Id);
    }

    public RunManifest Manifest(string runId) => Store.ReadManifest(runId);

    public void Dispose() => _dir.Dispose();
}
