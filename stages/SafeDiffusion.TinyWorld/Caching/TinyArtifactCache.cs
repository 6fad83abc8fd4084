using System.Text.Json;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Progress;

namespace SafeDiffusion.TinyWorld.Caching;

/// <summary>
/// A content-addressed cache of built artifacts (the scene classifier, the tiny Stable Diffusion, the tiny LLM):
/// <c>&lt;root&gt;/&lt;kind&gt;/&lt;key&gt;/</c>, where the key hashes the recipe. An artifact is built into a hidden
/// temp folder beside its final place and renamed into place in one step, so a reader finds it whole or not at
/// all and a killed build leaves only a temp that the next build removes. Builders of the same key take an
/// OS-level lock on <c>.&lt;key&gt;.lock</c> (released by the kernel if the holder dies): one builds, the others wait
/// and then use its result, within one process or across many.
/// <para>Shipped roots (e.g. the repository's <c>data/tiny-world</c>) are read-only layers with the same layout, looked
/// at first: an artifact whose recipe key a shipped root holds is used from there and never built; any other is built
/// into <see cref="Root"/> as usual.</para>
/// </summary>
public sealed class TinyArtifactCache
{
    public const string EnvironmentVariable = "SAFEDIFFUSION_CACHE";
    public const string RecipeFile = "recipe.json";
    private const string TempPrefix = ".tmp-";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <param name="root">The writable cache folder.</param>
    /// <param name="shippedRoots">Read-only folders laid out like a cache, looked at before <paramref name="root"/>, in order.</param>
    public TinyArtifactCache(string root, IEnumerable<string>? shippedRoots = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
        ShippedRoots = (shippedRoots ?? []).Select(r => Path.GetFullPath(r)).ToList();
    }

    public string Root { get; }

    /// <summary>Read-only layers with the cache's layout, looked at before <see cref="Root"/>.</summary>
    public IReadOnlyList<string> ShippedRoots { get; }

    /// <summary>
    /// <c>$SAFEDIFFUSION_CACHE</c>, else <c>$XDG_CACHE_HOME/safediffusion</c>, else <c>~/.cache/safediffusion</c>.
    /// </summary>
    public static string DefaultRoot()
    {
        var explicitRoot = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(explicitRoot)) return Path.GetFullPath(explicitRoot);
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)) return Path.Combine(xdg, "safediffusion");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "safediffusion");
    }

    public static TinyArtifactCache Default() => new(DefaultRoot());

    /// <summary>Where the artifact of <paramref name="recipe"/> lives: in a shipped root that holds it, else in <see cref="Root"/> (once built).</summary>
    public string PathFor(ArtifactRecipe recipe) =>
        ShippedRoots.Select(r => Path.Combine(r, recipe.Kind, recipe.Key)).FirstOrDefault(Directory.Exists) ?? BuiltPathFor(recipe);

    /// <summary>Whether the artifact of <paramref name="recipe"/> comes from a shipped root rather than a build.</summary>
    public bool IsShipped(ArtifactRecipe recipe) => ShippedRoots.Any(r => Directory.Exists(Path.Combine(r, recipe.Kind, recipe.Key)));

    private string BuiltPathFor(ArtifactRecipe recipe) => Path.Combine(Root, recipe.Kind, recipe.Key);

    public bool TryGet(ArtifactRecipe recipe, out string path)
    {
        path = PathFor(recipe);
        return Directory.Exists(path);
    }

    /// <summary>
    /// The artifact's folder, building it first when it is not cached. <paramref name="build"/> fills the folder it
    /// is given (empty, private to this call); the cache adds <c>recipe.json</c> and moves the folder into place.
    /// </summary>
    public async Task<string> GetOrBuildAsync(ArtifactRecipe recipe, Func<string, CancellationToken, Task> build,
        IProgressSink? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(build);
        var found = PathFor(recipe);
        if (Directory.Exists(found)) return found;

        var final = BuiltPathFor(recipe);
        var kindFolder = Path.Combine(Root, recipe.Kind);
        Directory.CreateDirectory(kindFolder);
        using var lockHandle = await AcquireLockAsync(Path.Combine(kindFolder, $".{recipe.Key}.lock"), recipe, progress, ct).ConfigureAwait(false);
        // Another builder may have finished while this one waited for the lock.
        if (Directory.Exists(final)) return final;

        RemoveStaleTemps(kindFolder);
        var temp = Path.Combine(kindFolder, $"{TempPrefix}{recipe.Key}-{TempOwner.Current}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            await build(temp, ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            AtomicFile.WriteAllText(Path.Combine(temp, RecipeFile), JsonSerializer.Serialize(new
            {
                kind = recipe.Kind,
                recipe_version = recipe.RecipeVersion,
                key = recipe.Key,
                settings = JsonDocument.Parse(recipe.Settings).RootElement,
                built_utc = DateTimeOffset.UtcNow,
            }, new JsonSerializerOptions { WriteIndented = true }));
            AtomicFile.FlushDirectory(temp);
            Directory.Move(temp, final);
            AtomicFile.FlushDirectory(kindFolder);
            return final;
        }
        catch
        {
            TryDeleteFolder(temp);
            throw;
        }
    }

    private static async Task<FileStream> AcquireLockAsync(string lockPath, ArtifactRecipe recipe, IProgressSink? progress, CancellationToken ct)
    {
        bool reported = false;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive flock on Unix (a share lock on Windows); the kernel drops it with the process.
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (!ct.IsCancellationRequested)
            {
                if (!reported)
                {
                    progress?.Info($"Waiting for another build of {recipe.Kind} {recipe.Key} to finish.");
                    reported = true;
                }
                await Task.Delay(PollInterval, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Removes temp folders of builders that are no longer running (their pid@host is in the name); a builder of
    /// another host sharing the cache is trusted to be alive until its folder is a day old (<see cref="TempOwner"/>).
    /// </summary>
    private static void RemoveStaleTemps(string kindFolder)
    {
        foreach (var dir in Directory.EnumerateDirectories(kindFolder, TempPrefix + "*"))
        {
            var parts = Path.GetFileName(dir)[TempPrefix.Length..].Split('-');
            if (parts.Length < 3 || !TempOwner.TryParse(parts[^2], out var owner)) continue;
            if (owner.IsCurrentProcess)
            {
                // A temp of this process can only be a failed earlier build: the lock is held for the key being built.
                if (IsLocked(dir)) continue;
            }
            else if (!owner.IsStale(Directory.GetLastWriteTimeUtc(dir), DateTime.UtcNow)) continue;
            TryDeleteFolder(dir);
        }
    }

    /// <summary>Whether the key of a temp folder is being built right now (its lock is held).</summary>
    private static bool IsLocked(string tempDir)
    {
        var name = Path.GetFileName(tempDir)[TempPrefix.Length..];
        var key = name.Split('-')[0];
        var lockPath = Path.Combine(Path.GetDirectoryName(tempDir)!, $".{key}.lock");
        try
        {
            using var probe = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static void TryDeleteFolder(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
