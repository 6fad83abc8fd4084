using System.Text.Json;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>A special token's text and the file that named it (for errors that point at the right file).</summary>
public sealed record ClipSpecialToken(string Content, string DefinedIn);

/// <summary>
/// What a tokenizer folder says about special tokens, added tokens and length, read with transformers' precedence:
/// <c>tokenizer_config.json</c> first, then <c>special_tokens_map.json</c> overriding it field by field (real SD 2.x
/// folders name the pad token <c>!</c> there and <c>&lt;|endoftext|&gt;</c> in the config; transformers uses <c>!</c>).
/// Tokens may be written as a string or as an object with <c>content</c> (transformers' AddedToken form).
/// </summary>
/// <param name="AdditionalSpecialTokens"><c>additional_special_tokens</c> of either file (the map's list wins).</param>
/// <param name="AddedTokens">Tokens with their ids from <c>added_tokens.json</c> and the config's <c>added_tokens_decoder</c>;
/// their ids may lie outside <c>vocab.json</c>.</param>
public sealed record ClipTokenizerSettings(
    int ModelMaxLength,
    ClipSpecialToken BosToken,
    ClipSpecialToken EosToken,
    ClipSpecialToken PadToken,
    ClipSpecialToken UnkToken,
    IReadOnlyList<ClipSpecialToken> AdditionalSpecialTokens,
    IReadOnlyDictionary<string, int> AddedTokens)
{
    public const int DefaultMaxLength = 77;
    public const string ConfigFile = "tokenizer_config.json";
    public const string SpecialTokensMapFile = "special_tokens_map.json";
    public const string AddedTokensFile = "added_tokens.json";

    /// <summary>CLIPTokenizer's defaults, for a folder with neither file.</summary>
    public static ClipTokenizerSettings Defaults(string definedIn) => new(DefaultMaxLength,
        new(ClipPreTokenizer.StartOfText, definedIn), new(ClipPreTokenizer.EndOfText, definedIn),
        new(ClipPreTokenizer.EndOfText, definedIn), new(ClipPreTokenizer.EndOfText, definedIn), [], new Dictionary<string, int>());

    /// <summary>
    /// Every token that transformers splits out of a prompt before BPE: the four named special tokens, the additional
    /// special tokens and the added tokens, distinct.
    /// </summary>
    public IEnumerable<string> UnsplittableTokens =>
        new[] { BosToken, EosToken, PadToken, UnkToken }.Concat(AdditionalSpecialTokens).Select(t => t.Content)
            .Concat(AddedTokens.Keys).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal);

    /// <summary>Reads <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c> and <c>added_tokens.json</c> of a folder; each file is optional.</summary>
    /// <exception cref="InputDataException">A file is not JSON, or a field has the wrong form; the message names file and field.</exception>
    public static ClipTokenizerSettings Read(string tokenizerDirectory)
    {
        var configPath = Path.Combine(tokenizerDirectory, ConfigFile);
        var mapPath = Path.Combine(tokenizerDirectory, SpecialTokensMapFile);
        var settings = Defaults(configPath);
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var config = ReadObject(configPath))
        {
            if (config is not null)
            {
                settings = Overlay(settings, configPath, config.RootElement) with { ModelMaxLength = MaxLength(configPath, config.RootElement) };
                ReadAddedTokensDecoder(configPath, config.RootElement, added);
            }
        }
        using (var map = ReadObject(mapPath))
        {
            if (map is not null) settings = Overlay(settings, mapPath, map.RootElement);
        }
        ReadAddedTokensFile(Path.Combine(tokenizerDirectory, AddedTokensFile), added);
        return settings with { AddedTokens = added };
    }

    private static ClipTokenizerSettings Overlay(ClipTokenizerSettings s, string path, JsonElement root) => s with
    {
        BosToken = Token(path, root, "bos_token") ?? s.BosToken,
        EosToken = Token(path, root, "eos_token") ?? s.EosToken,
        PadToken = Token(path, root, "pad_token") ?? s.PadToken,
        UnkToken = Token(path, root, "unk_token") ?? s.UnkToken,
        AdditionalSpecialTokens = TokenList(path, root, "additional_special_tokens") ?? s.AdditionalSpecialTokens,
    };

    private static JsonDocument? ReadObject(string path)
    {
        if (!File.Exists(path)) return null;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }); }
        catch (JsonException e) { throw new InputDataException(path, $"is not valid JSON ({e.Message})."); }
        if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
        doc.Dispose();
        throw new InputDataException(path, "is not a JSON object.");
    }

    private static int MaxLength(string path, JsonElement root)
    {
        if (!root.TryGetProperty("model_max_length", out var v) || v.ValueKind == JsonValueKind.Null) return DefaultMaxLength;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || d < 2)
            throw new InputDataException(path, $"model_max_length {v.GetRawText()} is not a length of at least 2.", "model_max_length");
        // transformers writes 1e30 ("no limit") when a tokenizer was saved without one; CLIP's text tower has 77 positions.
        return d > 1_000_000 ? DefaultMaxLength : (int)d;
    }

    private static ClipSpecialToken? Token(string path, JsonElement root, string name) =>
        !root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null : new(Content(path, v, name), path);

    private static IReadOnlyList<ClipSpecialToken>? TokenList(string path, JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Array) throw new InputDataException(path, "is not a list of tokens.", name);
        return v.EnumerateArray().Select(e => new ClipSpecialToken(Content(path, e, name), path)).ToList();
    }

    private static string Content(string path, JsonElement v, string field)
    {
        if (v.ValueKind == JsonValueKind.String) return v.GetString()!;
        if (v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            return content.GetString()!;
        throw new InputDataException(path, "is neither a string nor an object with a \"content\" string.", field);
    }

    /// <summary>transformers 4.34+ writes <c>"added_tokens_decoder": {"49406": {"content": "&lt;|startoftext|&gt;", ...}}</c>.</summary>
    private static void ReadAddedTokensDecoder(string path, JsonElement root, Dictionary<string, int> added)
    {
        if (!root.TryGetProperty("added_tokens_decoder", out var v) || v.ValueKind == JsonValueKind.Null) return;
        if (v.ValueKind != JsonValueKind.Object) throw new InputDataException(path, "is not an object of id -> token.", "added_tokens_decoder");
        foreach (var p in v.EnumerateObject())
        {
            if (!int.TryParse(p.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
                throw new InputDataException(path, $"has the key \"{p.Name}\", which is not a non-negative integer id.", "added_tokens_decoder");
            added[Content(path, p.Value, $"added_tokens_decoder.{p.Name}")] = id;
        }
    }

    private static void ReadAddedTokensFile(string path, Dictionary<string, int> added)
    {
        using var doc = ReadObject(path);
        if (doc is null) return;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out var id) || id < 0)
                throw new InputDataException(path, $"maps the token to {p.Value.GetRawText()}, not a non-negative integer id.", $"token \"{p.Name}\"");
            added[p.Name] = id;
        }
    }
}
