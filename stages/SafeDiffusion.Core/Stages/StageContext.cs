using System.Collections.Concurrent;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// What a stage sees while it runs: its run folder, the whole config, the device scheduler, progress, models,
/// cancellation, and a place to record artifacts and metrics for the manifest.
/// </summary>
public sealed class StageContext
{
    private readonly ConcurrentQueue<(string Path, string Kind)> _artifacts = new();
    private readonly ConcurrentDictionary<string, double> _metrics = new();
    private readonly ConcurrentDictionary<string, string> _notes = new();
    private readonly ConcurrentBag<DeviceLease> _leases = [];

    /// <param name="rootSeed">The root seed this stage draws from when it is not the run's (a seed copy's, see
    /// <see cref="StageGraph.RootSeeds"/>); null draws from the config's <c>seed</c>.</param>
    public StageContext(string stageName, PipelineEnvironment environment, CancellationToken cancellation, long? rootSeed = null)
    {
        StageName = stageName;
        Environment = environment;
        Cancellation = cancellation;
        Config = rootSeed is { } seed && seed != environment.Config.Seed ? environment.Config with { Seed = seed } : environment.Config;
    }

    public string StageName { get; }
    public PipelineEnvironment Environment { get; }
    public CancellationToken Cancellation { get; }

    public Run Run => Environment.Run;
    /// <summary>The whole config; for a copy of a stage over another seed, its <c>Seed</c> is that copy's root seed.</summary>
    public PipelineConfig Config { get; }
    public DeviceScheduler Devices => Environment.Devices;
    public IProgressSink Progress => Environment.Progress;
    public ModelCatalog Models => Environment.Models;
    public ShardSpec Shard => Environment.Shard;

    /// <summary>This stage's folder inside the run.</summary>
    public string Directory => Run.StageDirectory(StageName);

    /// <summary>
    /// A seed for one purpose of this stage, derived from its root seed (<see cref="Config"/>'s). A variant of a stage draws the seeds
    /// of the stage itself (common random numbers): compared variants then differ only in what they override, and
    /// each attacks the base model with the same batches and noise. A seed copy (<c>safety-train@seed-2</c>) draws the
    /// same purposes from its own root seed, so its draws are independent of the other seeds'.
    /// </summary>
    public long SeedFor(params string[] purpose) => SeedDerivation.Derive(Config.Seed, [StageVariant.StageOf(StageName), .. purpose]);

    /// <summary>Leases device memory; the runner releases whatever the stage forgot when it ends, however it ends.</summary>
    public async Task<DeviceLease> LeaseAsync(ByteSize memory, DeviceKind? kind = null)
    {
        var lease = await Devices.AcquireAsync(new LeaseRequest(StageName, memory, kind), Cancellation).ConfigureAwait(false);
        _leases.Add(lease);
        return lease;
    }

    /// <summary>Records a file the stage wrote (absolute or relative to the run folder); hashed when the stage completes.</summary>
    public void AddArtifact(string path, string kind) => _artifacts.Enqueue((path, kind));

    public void SetMetric(string name, double value) => _metrics[name] = value;

    public void AddToMetric(string name, double amount) => _metrics.AddOrUpdate(name, amount, (_, v) => v + amount);

    public void SetNote(string name, string value) => _notes[name] = value;

    /// <summary>
    /// Does <paramref name="work"/> here unless another stage of this execution has already started the work named
    /// <paramref name="key"/>, in which case its result is awaited and returned (<see cref="SharedWork"/>).
    /// </summary>
    public Task<SharedResult<T>> OnceAsync<T>(string key, Func<Task<T>> work) => Environment.Shared.OnceAsync(key, StageName, work, Cancellation);

    /// <summary>The record of another stage in this run (its artifacts, metrics, status).</summary>
    public StageRecord StageRecord(string stage) => Run.Stage(stage);

    internal IReadOnlyList<(string Path, string Kind)> Artifacts => _artifacts.ToList();
    internal IReadOnlyDictionary<string, double> Metrics => new Dictionary<string, double>(_metrics);
    internal IReadOnlyDictionary<string, string> Notes => new Dictionary<string, string>(_notes);

    internal void ReleaseLeases()
    {
        foreach (var lease in _leases) lease.Dispose();
    }
}

/// <summary>Everything shared by the stages of one graph execution.</summary>
public sealed record PipelineEnvironment(
    Run Run,
    PipelineConfig Config,
    ConfigDocument Document,
    DeviceScheduler Devices,
    IProgressSink Progress,
    ModelCatalog Models,
    ShardSpec Shard)
{
    /// <summary>Work done once for all the stages that ask for it (see <see cref="StageContext.OnceAsync{T}"/>).</summary>
    public SharedWork Shared { get; } = new();
}
