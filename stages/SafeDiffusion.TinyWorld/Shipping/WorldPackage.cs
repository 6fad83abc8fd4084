using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.TinyWorld.Caching;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Integration;
using SafeDiffusion.TinyWorld.Pretraining;

namespace SafeDiffusion.TinyWorld.Shipping;

/// <summary>
/// A tiny world built once and shipped: every <c>tiny:</c> artifact in the artifact cache's layout
/// (<c>&lt;kind&gt;/&lt;key&gt;/</c>) plus <see cref="WorldManifest"/>. A config whose <c>world.shipped</c> names the folder
/// uses it before the cache (see <see cref="TinyArtifactCache"/>), so runs with the shipped recipes build nothing and
/// every machine starts from the same weights.
/// </summary>
public static class WorldPackage
{
    /// <summary>
    /// Builds every artifact of <paramref name="world"/> from nothing into <paramref name="folder"/> (which must be empty
    /// or absent) and writes the manifest.
    /// </summary>
    /// <param name="command">The command line that rebuilds the folder, recorded in the manifest.</param>
    /// <exception cref="UsageException">The folder exists and is not empty.</exception>
    public static async Task<WorldManifest> BuildAsync(TinyWorldConfig world, HarmfulPromptsConfig writer, string folder, string profile,
        string command, IProgressSink progress, CancellationToken ct = default)
    {
        folder = Path.GetFullPath(folder);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new UsageException($"{folder} is not empty: `pipeline world build` writes a world from nothing. Remove it or pass another --out.");
        Directory.CreateDirectory(folder);
        // No shipped layer and no shared cache: everything in the folder is built by this call.
        var resolver = new TinyWorldModelResolver(world with { Cache = null, Shipped = null }, writer, new TinyArtifactCache(folder));
        foreach (var name in TinyWorldModelResolver.Names)
        {
            ct.ThrowIfCancellationRequested();
            progress.Info($"world build: tiny:{name}");
            await resolver.ResolveAsync(TinyWorldModelResolver.Scheme + name, progress, ct).ConfigureAwait(false);
        }
        foreach (var lockFile in Directory.EnumerateFiles(folder, ".*.lock", SearchOption.AllDirectories)) File.Delete(lockFile);

        var artifacts = TinyWorldModelResolver.Names
            .GroupBy(name => resolver.RecipeFor(name).Key)
            .Select(g =>
            {
                var recipe = resolver.RecipeFor(g.First());
                var artifactFolder = Path.Combine(folder, recipe.Kind, recipe.Key);
                var files = Directory.EnumerateFiles(artifactFolder, "*", SearchOption.AllDirectories)
                    .Select(f => new WorldManifestFile(Relative(folder, f), new FileInfo(f).Length, FileHash.Sha256(f)))
                    .OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
                return new WorldManifestArtifact(recipe.Kind, recipe.Key, g.ToList(), files);
            })
            .OrderBy(a => a.Kind, StringComparer.Ordinal).ToList();
        var baseRecipe = resolver.RecipeFor("base");
        var gate = QualityGateResult.Read(Path.Combine(folder, baseRecipe.Kind, baseRecipe.Key, TinyBaseModelFolder.QualityGateFile));
        var manifest = new WorldManifest(WorldManifest.CurrentFormat, profile, command, DateTimeOffset.UtcNow, artifacts, gate);
        manifest.Write(folder);
        return manifest;
    }

    /// <summary>
    /// Checks <paramref name="folder"/> against its manifest (every file's size and sha256, no file missing) and against
    /// <paramref name="world"/> (every recipe the config asks for is there); with <paramref name="remeasureGate"/>, runs the
    /// base model's quality gate again on this machine.
    /// </summary>
    /// <exception cref="InputDataException">The manifest is missing or unreadable.</exception>
    public static WorldVerification Verify(string folder, TinyWorldConfig world, HarmfulPromptsConfig writer, bool remeasureGate,
        IProgressSink progress, CancellationToken ct = default)
    {
        folder = Path.GetFullPath(folder);
        var manifest = WorldManifest.Read(folder);
        var problems = new List<string>();
        int checkedFiles = 0;
        foreach (var file in manifest.Artifacts.SelectMany(a => a.Files))
        {
            ct.ThrowIfCancellationRequested();
            var path = Path.Combine(folder, file.Path);
            checkedFiles++;
            if (!File.Exists(path)) problems.Add($"{file.Path}: missing");
            else if (new FileInfo(path).Length != file.Bytes) problems.Add($"{file.Path}: {new FileInfo(path).Length} bytes, the manifest says {file.Bytes}");
            else if (FileHash.Sha256(path) != file.Sha256) problems.Add($"{file.Path}: sha256 differs from the manifest's");
        }
        var resolver = new TinyWorldModelResolver(world with { Cache = null, Shipped = null }, writer, new TinyArtifactCache(folder));
        var missing = TinyWorldModelResolver.Names
            .Where(name => !manifest.Artifacts.Any(a => a.Kind == resolver.RecipeFor(name).Kind && a.Key == resolver.RecipeFor(name).Key))
            .Select(name => $"tiny:{name} ({resolver.RecipeFor(name).Kind} {resolver.RecipeFor(name).Key})")
            .ToList();

        QualityGateResult? measured = null;
        if (remeasureGate && problems.Count == 0 && missing.Count == 0)
        {
            var baseRecipe = resolver.RecipeFor("base");
            var classifierRecipe = resolver.RecipeFor("classifier");
            using var classifier = TinyWorldClassifier.Load(Path.Combine(folder, classifierRecipe.Kind, classifierRecipe.Key));
            measured = QualityGate.Evaluate(Path.Combine(folder, baseRecipe.Kind, baseRecipe.Key), world, classifier,
                $"{classifierRecipe.Kind} {classifierRecipe.Key}", world.Pretraining.Gate, progress, ct);
        }
        return new WorldVerification(checkedFiles, problems, missing, manifest.Gate, measured);
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
