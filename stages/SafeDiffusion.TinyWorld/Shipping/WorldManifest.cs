using System.Text.Json;
using System.Text.Json.Serialization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.TinyWorld.Pretraining;

namespace SafeDiffusion.TinyWorld.Shipping;

/// <summary>One file of a shipped artifact, by its path under the world folder.</summary>
public sealed record WorldManifestFile(string Path, long Bytes, string Sha256);

/// <summary>One cached artifact (<c>&lt;kind&gt;/&lt;key&gt;/</c>) and the <c>tiny:</c> names it serves.</summary>
public sealed record WorldManifestArtifact(string Kind, string Key, IReadOnlyList<string> Names, IReadOnlyList<WorldManifestFile> Files);

/// <summary>
/// <c>manifest.json</c> of a shipped tiny world (<c>data/tiny-world</c>): how it was built (profile and the command that
/// rebuilds it), every artifact (its recipe is the <c>recipe.json</c> among its files) with the sha256 of every file,
/// and the base model's quality gate as measured at build time. <c>pipeline world verify</c> checks a folder against it.
/// </summary>
public sealed record WorldManifest(
    int Format,
    string Profile,
    string Command,
    DateTimeOffset BuiltUtc,
    IReadOnlyList<WorldManifestArtifact> Artifacts,
    QualityGateResult? Gate)
{
    public const string FileName = "manifest.json";
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public void Write(string folder) => AtomicFile.WriteAllText(System.IO.Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));

    /// <exception cref="InputDataException">The file is missing, not JSON, or of another format.</exception>
    public static WorldManifest Read(string folder)
    {
        var path = System.IO.Path.Combine(folder, FileName);
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.", fix: "Point at a folder written by `pipeline world build` (the repository's data/tiny-world).");
        WorldManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<WorldManifest>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InputDataException(path, $"is not a world manifest ({e.Message}).", fix: "Rebuild it with `pipeline world build`."); }
        if (manifest is null || manifest.Artifacts is null)
            throw new InputDataException(path, "is empty.", fix: "Rebuild it with `pipeline world build`.");
        if (manifest.Format != CurrentFormat)
            throw new InputDataException(path, $"has format {manifest.Format}; this program reads format {CurrentFormat}.", "format", "Rebuild it with `pipeline world build`.");
        return manifest;
    }
}
