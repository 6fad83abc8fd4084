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
/// <c>tokenizer_config.json</c>), producing the ids openai/CLIP's <c>SimpleTokenizer</c> and transformers'
/// <c>CLIPTokenizer</c> produce: start token, BPE ids, end token, truncated to the model's length with the end
/// token kept, padded with the folder's pad token. Thread-safe; the BPE memo is shared by all callers.
/// </summary>
/// <remarks>
/// Where the two references differ, this follows openai/CLIP (the reference of the sd-parity cases): it
/// HTML-unescapes prompts, which transformers' CLIPTokenizer does not, so a written "&amp;amp;" is one "&amp;" token
/// here and "&amp;", "amp", ";" there; and it cleans text with ftfy's rules (see <see cref="ClipTextCleaner"/>), where CLIPTokenizer
/// without ftfy installed falls back to BERT's basic tokenizer (which also splits CJK characters apart and drops
/// control characters). Ordinary prompts tokenize identically under all three.
/// </remarks>
public sealed class ClipTokenizer
{
    private readonly Dictionary<string, int> _vocab;
    private readonly string[] _idToToken;
    private readonly ClipBytePairEncoder _bpe;

    private ClipTokenizer(Dictionary<string, int> vocab, ClipBytePairEncoder bpe, ClipTokenizerSettings settings, int bos, int eos, int pad)
    {
        _vocab = vocab;
        _bpe = bpe;
        Settings = settings;
        BosTokenId = bos;
        EosTokenId = eos;
        PadTokenId = pad;
        _idToToken = new string[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
    }

    public ClipTokenizerSettings Settings { get; }
    public int MaxLength => Settings.ModelMaxLength;
    public int BosTokenId { get; }
    public int EosTokenId { get; }
    public int PadTokenId { get; }
    public int VocabularySize => _vocab.Count;

    /// <summary>Loads a tokenizer folder: <c>vocab.json</c>, <c>merges.txt</c>, and <c>tokenizer_config.json</c> if present.</summary>
    public static ClipTokenizer FromFolder(string tokenizerDirectory)
    {
        if (!Directory.Exists(tokenizerDirectory))
            throw new InputDataException(tokenizerDirectory, "does not exist.", fix: "Point at the model's tokenizer/ folder (vocab.json, merges.txt).");
        var vocabPath = Path.Combine(tokenizerDirectory, "vocab.json");
        var mergesPath = Path.Combine(tokenizerDirectory, "merges.txt");
        var configPath = Path.Combine(tokenizerDirectory, "tokenizer_config.json");
        var vocab = ReadVocab(vocabPath);
        var bpe = ClipBytePairEncoder.FromMergesFile(mergesPath);
        CheckAlphabet(vocabPath, vocab);
        foreach (var (first, second, line) in bpe.Merges)
            if (!vocab.ContainsKey(first + second))
                throw new InputDataException(mergesPath, $"line {line} merges \"{first} {second}\" into a symbol vocab.json does not have.",
                    $"line {line}", "vocab.json and merges.txt must come from the same tokenizer.");
        var settings = ClipTokenizerSettings.Read(configPath);
        return new ClipTokenizer(vocab, bpe, settings,
            SpecialId(vocab, configPath, "bos_token", settings.BosToken),
            SpecialId(vocab, configPath, "eos_token", settings.EosToken),
            SpecialId(vocab, configPath, "pad_token", settings.PadToken));
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
        return ids;
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

    private static int SpecialId(Dictionary<string, int> vocab, string configPath, string field, string token) =>
        vocab.TryGetValue(token, out var id)
            ? id
            : throw new InputDataException(configPath, $"names \"{token}\", which vocab.json does not have.", field);
}
