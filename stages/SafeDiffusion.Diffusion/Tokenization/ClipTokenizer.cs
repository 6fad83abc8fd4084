using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>
/// The CLIP BPE tokenizer of a Stable Diffusion <c>tokenizer/</c> folder (<c>vocab.json</c>, <c>merges.txt</c>,
/// <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c>, <c>added_tokens.json</c>), producing the ids
/// transformers' <c>CLIPTokenizer</c> produces as diffusers runs it: start token, BPE ids, end token, truncated to the
/// model's length with the end token kept, padded with the folder's pad token. Thread-safe; the BPE memo is shared by
/// all callers.
/// </summary>
/// <remarks>
/// <para>Special and added tokens are split out of the raw prompt before any cleaning or BPE, as transformers does, and
/// the text between them is encoded piece by piece. With SD 2.x's pad token <c>!</c> (named in
/// <c>special_tokens_map.json</c>, which overrides <c>tokenizer_config.json</c>) every <c>!</c> in a prompt is therefore
/// id 0: "Monet!!" ends ..., 0, 0, never the BPE token for <c>!!</c>.</para>
/// <para>
/// Where the two references differ, this follows openai/CLIP (the reference of the sd-parity cases): it
/// HTML-unescapes prompts, which transformers' CLIPTokenizer does not, so a written "&amp;amp;" is one "&amp;" token
/// here and "&amp;", "amp", ";" there; and it cleans text with ftfy's rules (see <see cref="ClipTextCleaner"/>), where CLIPTokenizer
/// without ftfy installed falls back to BERT's basic tokenizer (which also splits CJK characters apart and drops
/// control characters). Ordinary prompts tokenize identically under all three.</para>
/// </remarks>
public sealed class ClipTokenizer
{
    private readonly Dictionary<string, int> _vocab;
    private readonly string[] _idToToken;
    private readonly ClipBytePairEncoder _bpe;
    /// <summary>Tokens split out before BPE, with their ids; longest first so that the longest match at a position wins.</summary>
    private readonly (string Token, int Id)[] _unsplittable;

    private ClipTokenizer(Dictionary<string, int> vocab, ClipBytePairEncoder bpe, ClipTokenizerSettings settings, (string, int)[] unsplittable)
    {
        _vocab = vocab;
        _bpe = bpe;
        Settings = settings;
        _unsplittable = unsplittable;
        int IdOf(string token) => unsplittable.First(t => t.Item1 == token).Item2;
        BosTokenId = IdOf(settings.BosToken.Content);
        EosTokenId = IdOf(settings.EosToken.Content);
        PadTokenId = IdOf(settings.PadToken.Content);
        _idToToken = new string[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
    }

    public ClipTokenizerSettings Settings { get; }
    public int MaxLength => Settings.ModelMaxLength;
    public int BosTokenId { get; }
    public int EosTokenId { get; }
    public int PadTokenId { get; }
    public int VocabularySize => _vocab.Count;

    /// <summary>
    /// Loads a tokenizer folder: <c>vocab.json</c>, <c>merges.txt</c>, and if present <c>tokenizer_config.json</c>,
    /// <c>special_tokens_map.json</c> and <c>added_tokens.json</c> (see <see cref="ClipTokenizerSettings.Read"/>).
    /// </summary>
    /// <exception cref="InputDataException">A file is missing or malformed, or a special token is in no vocabulary; the message names the file and field.</exception>
    public static ClipTokenizer FromFolder(string tokenizerDirectory)
    {
        if (!Directory.Exists(tokenizerDirectory))
            throw new InputDataException(tokenizerDirectory, "does not exist.", fix: "Point at the model's tokenizer/ folder (vocab.json, merges.txt).");
        var vocabPath = Path.Combine(tokenizerDirectory, "vocab.json");
        var mergesPath = Path.Combine(tokenizerDirectory, "merges.txt");
        var vocab = ReadVocab(vocabPath);
        var bpe = ClipBytePairEncoder.FromMergesFile(mergesPath);
        CheckAlphabet(vocabPath, vocab);
        foreach (var (first, second, line) in bpe.Merges)
            if (!vocab.ContainsKey(first + second))
                throw new InputDataException(mergesPath, $"line {line} merges \"{first} {second}\" into a symbol vocab.json does not have.",
                    $"line {line}", "vocab.json and merges.txt must come from the same tokenizer.");
        var settings = ClipTokenizerSettings.Read(tokenizerDirectory);
        SpecialId(vocab, settings, "bos_token", settings.BosToken);
        SpecialId(vocab, settings, "eos_token", settings.EosToken);
        SpecialId(vocab, settings, "pad_token", settings.PadToken);
        SpecialId(vocab, settings, "unk_token", settings.UnkToken);
        foreach (var extra in settings.AdditionalSpecialTokens) SpecialId(vocab, settings, "additional_special_tokens", extra);
        var unsplittable = settings.UnsplittableTokens
            .Select(t => (t, settings.AddedTokens.TryGetValue(t, out var added) ? added : vocab[t]))
            .OrderByDescending(t => t.Item1.Length).ThenBy(t => t.Item1, StringComparer.Ordinal).ToArray();
        return new ClipTokenizer(vocab, bpe, settings, unsplittable);
    }

    /// <summary>Tokenizes one prompt to exactly <see cref="MaxLength"/> ids.</summary>
    public TokenizedPrompt Encode(string text)
    {
        var tokens = Tokenize(text);
        int room = MaxLength - 2;
        bool truncated = tokens.Count > room;
        int kept = truncated ? room : tokens.Count;
        var ids = new long[MaxLength];
        ids[0] = BosTokenId;
        for (int i = 0; i < kept; i++) ids[i + 1] = tokens[i];
        ids[kept + 1] = EosTokenId;
        for (int i = kept + 2; i < ids.Length; i++) ids[i] = PadTokenId;
        return new TokenizedPrompt(ids, kept + 2, truncated, tokens.Count);
    }

    /// <summary>Tokenizes prompts into an int64 tensor [count, <see cref="MaxLength"/>] on <paramref name="device"/>.</summary>
    public Tensor EncodeBatch(IReadOnlyList<string> texts, Device? device = null)
    {
        LibTorchRuntime.EnsureLoadable();
        var flat = new long[texts.Count * MaxLength];
        for (int i = 0; i < texts.Count; i++)
        {
            var ids = Encode(texts[i]).InputIds;
            for (int j = 0; j < MaxLength; j++) flat[i * MaxLength + j] = ids[j];
        }
        using var cpu = torch.tensor(flat, [texts.Count, MaxLength], ScalarType.Int64);
        return device is null || device.type == DeviceType.CPU ? cpu.clone() : cpu.to(device);
    }

    /// <summary>BPE tokens in a prompt, without start and end tokens, before any truncation.</summary>
    public int CountTokens(string text) => Tokenize(text).Count;

    /// <summary>The BPE ids of a prompt, without start and end tokens or truncation.</summary>
    public IReadOnlyList<int> Tokenize(string text)
    {
        var ids = new List<int>();
        int start = 0;
        while (start < text.Length)
        {
            var (at, token, id) = NextUnsplittable(text, start);
            EncodeText(text[start..at], ids);
            if (token is null) break;
            ids.Add(id);
            start = at + token.Length;
        }
        return ids;
    }

    /// <summary>The leftmost special or added token at or after <paramref name="from"/>, the longest where several start there (transformers' trie split).</summary>
    private (int At, string? Token, int Id) NextUnsplittable(string text, int from)
    {
        (int At, string? Token, int Id) best = (text.Length, null, 0);
        foreach (var (token, id) in _unsplittable)
        {
            // _unsplittable is longest first, so a later token starting at the same place is never longer.
            int at = text.IndexOf(token, from, StringComparison.Ordinal);
            if (at >= 0 && at < best.At) best = (at, token, id);
        }
        return best;
    }

    /// <summary>Cleans, pre-tokenizes and BPE-encodes text that holds no special token, appending its ids.</summary>
    private void EncodeText(string text, List<int> ids)
    {
        if (text.Length == 0) return;
        var cleaned = ClipTextCleaner.Clean(text);
        var bytes = new StringBuilder();
        foreach (var piece in ClipPreTokenizer.Split(cleaned))
        {
            // Written-out special tokens map to themselves, as the reference's BPE cache is seeded with them.
            if (piece is ClipPreTokenizer.StartOfText or ClipPreTokenizer.EndOfText && _vocab.TryGetValue(piece, out var special))
            {
                ids.Add(special);
                continue;
            }
            bytes.Clear();
            foreach (var b in Encoding.UTF8.GetBytes(piece)) bytes.Append(ByteLevelAlphabet.Encode(b));
            foreach (var symbol in _bpe.Encode(bytes.ToString()))
            {
                // FromFolder checked that every byte symbol and every merge result is in the vocabulary.
                ids.Add(_vocab[symbol]);
            }
        }
    }

    /// <summary>Text for ids (start, end and pad tokens dropped), for logs and debugging.</summary>
    public string Decode(IEnumerable<long> ids)
    {
        var symbols = new StringBuilder();
        foreach (var id in ids)
        {
            if (id == BosTokenId || id == EosTokenId || id == PadTokenId || id < 0 || id >= _idToToken.Length) continue;
            symbols.Append(_idToToken[id]);
        }
        var bytes = new List<byte>();
        var text = symbols.ToString();
        foreach (var c in text) if (ByteDecoder.TryGetValue(c, out var b)) bytes.Add(b);
        return Encoding.UTF8.GetString(bytes.ToArray()).Replace(ClipBytePairEncoder.EndOfWord, " ").Trim();
    }

    private static readonly FrozenDictionary<char, byte> ByteDecoder =
        Enumerable.Range(0, 256).ToFrozenDictionary(b => ByteLevelAlphabet.Encode((byte)b), b => (byte)b);

    private static Dictionary<string, int> ReadVocab(string path)
    {
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.", fix: "A CLIP tokenizer folder needs vocab.json next to merges.txt.");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InputDataException(path, "is not a JSON object of token -> id.");
            var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out var id) || id < 0)
                    throw new InputDataException(path, $"maps the token to {p.Value.GetRawText()}, not a non-negative integer id.", $"token \"{p.Name}\"");
                vocab[p.Name] = id;
            }
            return vocab;
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not valid JSON ({e.Message}).", fix: "Copy vocab.json again from the model's tokenizer folder.");
        }
    }

    private static void CheckAlphabet(string path, Dictionary<string, int> vocab)
    {
        foreach (var symbol in ByteLevelAlphabet.Symbols)
        {
            var s = symbol.ToString();
            if (!vocab.ContainsKey(s) || !vocab.ContainsKey(s + ClipBytePairEncoder.EndOfWord))
                throw new InputDataException(path, $"lacks the byte symbol \"{s}\" (or \"{s}{ClipBytePairEncoder.EndOfWord}\") that every CLIP vocabulary has.",
                    fix: "This is not a CLIP BPE vocabulary, or it is damaged.");
        }
    }

    private static void SpecialId(Dictionary<string, int> vocab, ClipTokenizerSettings settings, string field, ClipSpecialToken token)
    {
        if (!vocab.ContainsKey(token.Content) && !settings.AddedTokens.ContainsKey(token.Content))
            throw new InputDataException(token.DefinedIn, $"names \"{token.Content}\", which neither vocab.json nor the added tokens have.", field,
                "Name a token of this tokenizer's vocabulary, or copy the tokenizer folder again.");
    }
}
