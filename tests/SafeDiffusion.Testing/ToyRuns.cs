using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Testing;

/// <summary>
/// New runs of a toy config under a temporary folder of their own, each with the environment its stages run in: one
/// CPU device of 1 GiB, no progress display, no model resolvers. Disposing closes the runs (their lock files) and
/// deletes the folder.
/// </summary>
/// <param name="name">Names the temporary folder, so a leftover one says which tests made it.</param>
public sealed class ToyRuns(string name) : IDisposable
{
    private readonly TempDirectory _dir = new(name);
    private readonly List<Run> _runs = [];

    /// <summary>A new run of <paramref name="yaml"/> in a runs folder of its own.</summary>
    public PipelineEnvironment Create(string yaml = "name: toy\nseed: 1\n")
    {
        var document = ConfigDocument.Parse(yaml, "toy.yaml");
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        var run = new RunStore(_dir.File($"runs-{_runs.Count}")).Create(document, config);
        _runs.Add(run);
        return new PipelineEnvironment(run, config, document, new DeviceScheduler([new DeviceSpec("cpu", ByteSize.FromGiB(1))]),
            NullProgressSink.Instance, new ModelCatalog(config.Models, [], _dir.Path), ShardSpec.All);
    }

    public void Dispose()
    {
        foreach (var run in _runs) run.Dispose();
        _dir.Dispose();
    }
}
