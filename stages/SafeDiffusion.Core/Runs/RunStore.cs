using System.Security.Cryptography;
using System.Text.Json;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Core.Runs;

/// <summary>
/// The runs folder: one sub-folder per run with its manifest, and named pointers (<c>latest</c>,
/// <c>latest-data</c>) that are switched atomically.
/// </summary>
/// <remarks>Files and folders the store makes get <paramref name="modes"/> (default <see cref="RunFileModes.Default"/>).</remarks>
public sealed class RunStore(string root, RunFileModes? modes = null)
{
    public const string ManifestFileName = "manifest.json";
    public const string Latest = "latest";
    /// <summary>The last run whose whole data graph succeeded: what nightly consumers read.</summary>
    public const string LatestData = "latest-data";

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The permissions given to what the store writes.</summary>
    public RunFileModes Modes { get; } = modes ?? RunFileModes.Default;

    /// <summary>Starts a new run: a fresh id and folder, the lock, and a manifest with the config snapshot.</summary>
    public Run Create(ConfigDocument document, PipelineConfig config, string? shard = null, TimeProvider? clock = null)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var id = $"{now:yyyyMMdd-HHmmss}-{Slug(config.Name)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
        var dir = Path.Combine(Root, id);
        CreateRoot();
        Directory.CreateDirectory(dir);
        Modes.ApplyToFolder(dir);
        var runLock = RunLock.Acquire(dir, Modes);
        try
        {
            return Start(document, config, shard, now, id, dir, runLock);
        }
        catch
        {
            // Nothing can use a run whose manifest was never written; a lock left held would block its resume.
            runLock.Dispose();
            throw;
        }
    }

    private Run Start(ConfigDocument document, PipelineConfig config, string? shard, DateTimeOffset now, string id, string dir, RunLock runLock)
    {
        var manifest = new RunManifest
        {
            RunId = id,
            CreatedUtc = now,
            ConfigName = config.Name,
            ConfigSource = document.SourceName,
            ConfigSha256 = document.Sha256(),
            ConfigSnapshot = document.ToYaml(),
            CodeVersion = CodeVersion.Current,
            Shard = shard,
        };
        var run = new Run(dir, manifest, runLock, Modes);
        run.UpdateManifest(m => m);
        var snapshot = Path.Combine(dir, "config.yaml");
        AtomicFile.WriteAllText(snapshot, manifest.ConfigSnapshot);
        Modes.ApplyToFile(snapshot);
        PointTo(Latest, id);
        return run;
    }

    // The runs folder, made with the folder mode when this store makes it (an existing one is the user's to set).
    private void CreateRoot()
    {
        if (Directory.Exists(Root)) return;
        Directory.CreateDirectory(Root);
        Modes.ApplyToFolder(Root);
    }

    /// <summary>Opens an existing run for writing (takes its lock).</summary>
    public Run Open(string idOrPointer)
    {
        var id = Resolve(idOrPointer);
        var dir = Path.Combine(Root, id);
        var runLock = RunLock.Acquire(dir, Modes);
        try
        {
            return new Run(dir, ReadManifest(id), runLock, Modes);
        }
        catch
        {
            runLock.Dispose();
            throw;
        }
    }

    /// <summary>Turns <c>latest</c> (or another pointer) into a run id; checks the run exists.</summary>
    public string Resolve(string idOrPointer)
    {
        var path = Path.Combine(Root, idOrPointer);
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
            return Path.GetFileName(target.TrimEnd('/'));
        if (Directory.Exists(path) && File.Exists(Path.Combine(path, ManifestFileName)))
            return idOrPointer;
        var known = List().Take(5).Select(m => m.RunId).ToList();
        throw new UsageException(
            $"No run '{idOrPointer}' in {Root}." +
            (known.Count == 0 ? " No runs exist yet: start one with `pipeline run full`." : $" Recent runs: {string.Join(", ", known)}."));
    }

    public bool TryResolve(string idOrPointer, out string id)
    {
        try { id = Resolve(idOrPointer); return true; }
        catch (UsageException) { id = ""; return false; }
    }

    public RunManifest ReadManifest(string idOrPointer)
    {
        var id = Resolve(idOrPointer);
        var path = Path.Combine(Root, id, ManifestFileName);
        try
        {
            return JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), RunManifest.Json)
                   ?? throw new InputDataException(path, "is empty.");
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not a valid run manifest ({e.Message}).");
        }
    }

    /// <summary>Runs with a readable manifest, newest first.</summary>
    public IEnumerable<RunManifest> List() => ListStored().Select(r => r.Manifest);

    /// <summary>
    /// Run folders with a readable manifest, newest first, each with its folder name: the id to act on. A folder
    /// whose manifest names another run is listed too, so that callers can refuse it.
    /// </summary>
    public IEnumerable<StoredRun> ListStored()
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(Root).OrderByDescending(d => d, StringComparer.Ordinal))
        {
            // Pointers are links; hidden folders are runs being deleted by a pruner.
            if (new DirectoryInfo(dir).LinkTarget is not null || Path.GetFileName(dir).StartsWith('.')) continue;
            var path = Path.Combine(dir, ManifestFileName);
            if (!File.Exists(path)) continue;
            RunManifest? m = null;
            try { m = JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), RunManifest.Json); }
            catch (JsonException) { }
            if (m is not null) yield return new StoredRun(Path.GetFileName(dir), m);
        }
    }

    /// <summary>
    /// The full path of the run folder <paramref name="folderId"/>, or null unless it is a plain folder name that
    /// resolves to a real folder directly inside <see cref="Root"/> (not a link, not <c>..</c>, not a path).
    /// </summary>
    public string? FolderInside(string folderId)
    {
        if (folderId.Length == 0 || folderId is "." or ".." || folderId.IndexOfAny(['/', '\\', '\0']) >= 0) return null;
        var path = Path.GetFullPath(Path.Combine(Root, folderId));
        if (!string.Equals(Path.GetDirectoryName(path), Root.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)) return null;
        var info = new DirectoryInfo(path);
        return info.Exists && info.LinkTarget is null ? path : null;
    }

    /// <summary>Whether a live process is writing the run (holds its lock).</summary>
    public bool IsActive(string runId) => RunLock.IsHeld(Path.Combine(Root, runId));

    /// <summary>Switches a named pointer (a symbolic link in the runs folder) to a run, atomically.</summary>
    public void PointTo(string pointer, string runId)
    {
        CreateRoot();
        var link = Path.Combine(Root, pointer);
        var temp = AtomicFile.TempPathFor(link);
        File.CreateSymbolicLink(temp, runId);
        // rename(2) replaces the old link in one step: readers see the old run or the new one, never neither.
        AtomicFile.Rename(temp, link);
        AtomicFile.FlushDirectory(Root);
    }

    /// <summary>The run a pointer names, or null when the pointer does not exist.</summary>
    public string? ReadPointer(string pointer)
    {
        var info = new FileInfo(Path.Combine(Root, pointer));
        return info.LinkTarget is { } t ? Path.GetFileName(t.TrimEnd('/')) : null;
    }

    private static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var s = new string(chars).Trim('-');
        return s.Length == 0 ? "run" : s.Length > 24 ? s[..24] : s;
    }
}
