using System.Text.Json;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.TinyWorld.Caching;

/// <summary>
/// What a cached artifact is built from: its kind (a folder name such as <c>classifier</c>), the version of the
/// code that builds it (bumped whenever that code would build something different from the same settings), and the
/// settings themselves as canonical JSON. Equal recipes name the same artifact; any change names a new one.
/// </summary>
public sealed record ArtifactRecipe(string Kind, int RecipeVersion, string Settings)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>The cache key: a SHA-256 prefix of kind, version and settings.</summary>
    public string Key => FileHash.Sha256(Kind, RecipeVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Settings)[..24];

    /// <summary>A recipe whose settings are <paramref name="settings"/> serialised (records serialise their properties in declaration order).</summary>
    public static ArtifactRecipe From<T>(string kind, int recipeVersion, T settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        if (kind.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || kind.StartsWith('.'))
            throw new ArgumentException($"kind '{kind}' must be a plain folder name.", nameof(kind));
        return new ArtifactRecipe(kind, recipeVersion, JsonSerializer.Serialize(settings, Json));
    }

    /// <summary>A tiny-world artifact's recipe: <see cref="From{T}"/> at the world's one recipe version, <see cref="WorldRecipe.Version"/>.</summary>
    public static ArtifactRecipe ForWorld<T>(string kind, T settings) => From(kind, WorldRecipe.Version, settings);
}
