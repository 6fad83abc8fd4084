using System.Text.Json;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>
/// What <c>tokenizer_config.json</c> says about special tokens and length. Special tokens may be written as a string
/// or as an object with <c>content</c> (transformers' AddedToken form).
/// </summary>
public sealed record ClipTokenizerSettings(int ModelMaxLength, string BosToken, string EosToken, string PadToken)
{
    public const int DefaultMaxLength = 77;
    public static readonly ClipTokenizerSettings Default = new(DefaultMaxLength, ClipPreTokenizer.StartOfText, ClipPreTokenizer.EndOfText, ClipPreTokenizer.EndOfText);

    /// <summary>Reads the file; a missing file means the CLIPTokenizer defaults.</summary>
    public static ClipTokenizerSettings Read(string path)
    {
        if (!File.Exists(path)) return Default;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e) { throw new InputDataException(path, $"is not valid JSON ({e.Message})."); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InputDataException(path, "is not a JSON object.");
            return new ClipTokenizerSettings(
                MaxLength(path, root),
                Token(path, root, "bos_token", Default.BosToken),
                Token(path, root, "eos_token", Default.EosToken),
                Token(path, root, "pad_token", Default.PadToken));
        }
    }

    private static int MaxLength(string path, JsonElement root)
    {
        if (!root.TryGetProperty("model_max_length", out var v) || v.ValueKind == JsonValueKind.Null) return DefaultMaxLength;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || d < 2)
            throw new InputDataException(path, $"model_max_length {v.GetRawText()} is not a length of at least 2.", "model_max_length");
        // transformers writes 1e30 ("no limit") when a tokenizer was saved without one; CLIP's text tower has 77 positions.
        return d > 1_000_000 ? DefaultMaxLength : (int)d;
    }

    private static string Token(string path, JsonElement root, string name, string fallback)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            return content.GetString()!;
        throw new InputDataException(path, "is neither a string nor an object with a \"content\" string.", name);
    }
}
