using System.Text.Json;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Core.Runs;

/// <summary>
/// One run folder held for writing: its manifest, updated atomically as stages progress, and the run lock.
/// </summary>
public sealed class Run : IDisposable
{
    private readonly Lock _gate = new();
    private readonly RunLock _lock;
    private readonly RunFileModes _modes;
    private RunManifest _manifest;

    internal Run(string directory, RunManifest manifest, RunLock runLock, RunFileModes modes)
    {
        Directory = directory;
        _manifest = manifest;
        _lock = runLock;
        _modes = modes;
    }

    public string Id => _manifest.RunId;
    public string Directory { get; }
    public string ManifestPath => Path.Combine(Directory, RunStore.ManifestFileName);

    public RunManifest Manifest
    {
        get { lock (_gate) return _manifest; }
    }

    /// <summary>The folder a stage writes its artifacts into (created on demand).</summary>
    public string StageDirectory(string stage)
    {
        var dir = Path.Combine(Directory, stage);
        if (!System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.CreateDirectory(dir);
            _modes.ApplyToFolder(dir);
        }
        return dir;
    }

    public StageRecord Stage(string stage) => Manifest.Stage(stage) ?? new StageRecord();

    /// <summary>Changes one stage's record and rewrites the manifest atomically.</summary>
    public StageRecord UpdateStage(string stage, Func<StageRecord, StageRecord> change)
    {
        lock (_gate)
        {
            var stages = new Dictionary<string, StageRecord>(_manifest.Stages);
            var updated = change(stages.TryGetValue(stage, out var s) ? s : new StageRecord());
            stages[stage] = updated;
            _manifest = _manifest with { Stages = stages };
            Save();
            return updated;
        }
    }

    public void UpdateManifest(Func<RunManifest, RunManifest> change)
    {
        lock (_gate)
        {
            _manifest = change(_manifest);
            Save();
        }
    }

    /// <summary>Records how the run ended (rewrites the manifest atomically).</summary>
    public void RecordOutcome(RunOutcome outcome) => UpdateManifest(m => m with { Outcome = outcome });

    /// <summary>Hashes a file a stage wrote and describes it for the manifest.</summary>
    public ArtifactRecord DescribeArtifact(string path, string kind)
    {
        var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Directory, path));
        var relative = Path.GetRelativePath(Directory, full).Replace('\\', '/');
        return new ArtifactRecord(relative, FileHash.Sha256(full), new FileInfo(full).Length, kind);
    }

    /// <summary>The absolute path of an artifact recorded in the manifest.</summary>
    public string ArtifactPath(ArtifactRecord artifact) => Path.Combine(Directory, artifact.Path);

    private void Save()
    {
        AtomicFile.WriteAllText(ManifestPath, JsonSerializer.Serialize(_manifest, RunManifest.Json));
        _modes.ApplyToFile(ManifestPath);
    }

    public void Dispose() => _lock.Dispose();
}
