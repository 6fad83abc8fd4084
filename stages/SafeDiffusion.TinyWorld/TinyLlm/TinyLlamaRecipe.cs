using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>The identity of a trained tiny writer model, for caches: the same key means the same weights.</summary>
public static class TinyLlamaRecipe
{
    /// <summary>SHA-256 (hex) of the world's recipe version (<see cref="Caching.WorldRecipe.Version"/>, bumped whenever a
    /// code change alters what training produces), the options and the corpus content.</summary>
    public static string Key(CaptionCorpus corpus, TinyLlamaTrainingOptions options)
    {
        var text = $"tiny-world/{Caching.WorldRecipe.Version}\n{JsonSerializer.Serialize(options)}\n{corpus.ContentHash()}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
