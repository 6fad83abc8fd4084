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
public sealed class RunStore(string root)
{
    public const string ManifestFileName = "manifest.json";
    public const string Latest = "latest";
    /// <summary>The last run whose whole data graph succeeded: what nightly consumers read.</summary>
    public const string LatestData = "latest-data";

    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Starts a new run: a fresh id and folder, the lock, and a manifest with the config snapshot.</summary>
    public Run Create(ConfigDocument document, PipelineConfig config, string? shard = null, TimeProvider? clock = null)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var id = $"{now:yyyyMMdd-HHmmss}-{Slug(config.Name)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";
        var dir = Path.Combine(Root, id);
        Directory.CreateDirectory(dir);
        var runLock = RunLock.Acquire(dir);
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
        var run = new Run(dir, manifest, runLock);
        run.UpdateManifest(m => m);
        AtomicFile.WriteAllText(Path.Combine(dir, "config.yaml"), manifest.ConfigSnapshot);
        PointTo(Latest, id);
        return run;
    }

    /// <summary>Opens an existing run for writing (takes its lock).</summary>
    public Run Open(string idOrPointer)
    {
        var id = Resolve(idOrPointer);
        var dir = Path.Combine(Root, id);
        var runLock = RunLock.Acquire(dir);
        try
        {
            return new Run(dir, ReadManifest(id), runLock);
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
    public IEnumerable<RunManifest> List()
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
            if (m is not null) yield return m;
        }
    }

    /// <summary>Whether a live process is writing the run (holds its lock).</summary>
    public bool IsActive(string runId) => RunLock.IsHeld(Path.Combine(Root, runId));

    /// <summary>Switches a named pointer (a symbolic link in the runs folder) to a run, atomically.</summary>
    public void PointTo(string pointer, string runId)
    {
        Directory.CreateDirectory(Root);
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
