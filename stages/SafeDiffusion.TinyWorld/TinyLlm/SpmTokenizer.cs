using System.Globalization;
using System.Text;
using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// llama.cpp's SPM ("llama") tokenizer over an <see cref="SpmVocabulary"/>, in managed code, so a model can be
/// trained on exactly the token ids llama.cpp will feed it: special-token partitioning, a space prefix on every
/// raw fragment that starts the text or follows a special token, spaces escaped to <c>▁</c>, bigram merges by
/// score (ties to the leftmost pair), and byte-token fallback for characters the vocabulary lacks
/// (src/llama-vocab.cpp: <c>tokenizer_st_partition</c>, <c>llm_tokenizer_spm_session</c>).
/// </summary>
public sealed class SpmTokenizer
{
    private readonly SpmVocabulary _vocabulary;
    private readonly Dictionary<string, int> _ids;
    private readonly int[] _byteTokens = new int[256];
    private readonly IReadOnlyList<int> _specialByLength;

    public SpmTokenizer(SpmVocabulary vocabulary, bool addSpacePrefix = true)
    {
        _vocabulary = vocabulary;
        AddSpacePrefix = addSpacePrefix;
        _ids = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (int id = 0; id < vocabulary.Count; id++)
        {
            // llama.cpp refuses a vocabulary with a repeated token text, so ids are unambiguous here too.
            if (!_ids.TryAdd(vocabulary.Tokens[id], id))
                throw new ArgumentException($"Token '{vocabulary.Tokens[id]}' occurs twice in the vocabulary.", nameof(vocabulary));
        }
        for (int b = 0; b < 256; b++)
        {
            var text = $"<0x{b.ToString("X2", CultureInfo.InvariantCulture)}>";
            _byteTokens[b] = _ids.TryGetValue(text, out var id)
                ? id
                : throw new ArgumentException($"The vocabulary has no byte token {text}; SPM byte fallback needs all 256.", nameof(vocabulary));
        }
        // The special-token cache: control, user-defined and unknown tokens, longest first. llama.cpp leaves
        // tokens of equal length in no particular order, which matters only if two of them could match at the
        // same place; ids break the tie here.
        _specialByLength = Enumerable.Range(0, vocabulary.Count)
            .Where(id => vocabulary.TokenTypes[id] is SpmVocabulary.TypeControl or SpmVocabulary.TypeUserDefined or SpmVocabulary.TypeUnknown)
            .OrderByDescending(id => Encoding.UTF8.GetByteCount(vocabulary.Tokens[id]))
            .ThenBy(id => id)
            .ToList();
    }

    public SpmVocabulary Vocabulary => _vocabulary;

    /// <summary>llama.cpp's <c>tokenizer.ggml.add_space_prefix</c> (true for SPM unless the file says otherwise).</summary>
    public bool AddSpacePrefix { get; }

    /// <summary>The id of a token text, or null.</summary>
    public int? Find(string tokenText) => _ids.TryGetValue(tokenText, out var id) ? id : null;

    /// <summary>
    /// Tokenizes like <c>llama_tokenize(vocab, text, add_special: addBos, parse_special)</c>: with
    /// <paramref name="parseSpecial"/> control tokens written in the text (<c>&lt;|im_start|&gt;</c>) become
    /// those tokens; without it only user-defined tokens do.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool addBos, bool parseSpecial)
    {
        var output = new List<int>();
        var previousWasSpecial = true;
        if (addBos)
        {
            output.Add(_vocabulary.BosId);
            previousWasSpecial = true;
        }
        foreach (var fragment in Partition(text, parseSpecial))
        {
            if (fragment.Token is { } token)
            {
                output.Add(token);
                previousWasSpecial = true;
                continue;
            }
            var raw = text.Substring(fragment.Start, fragment.Length);
            if (AddSpacePrefix && previousWasSpecial) raw = " " + raw;
            EncodePiece(raw, output);
            previousWasSpecial = false;
        }
        return output;
    }

    /// <summary>
    /// Tokenizes <paramref name="text"/> as one raw fragment with no space prefix and no special tokens: the
    /// SPM merge step alone, for composing token sequences piece by piece.
    /// </summary>
    public IReadOnlyList<int> EncodePiece(string text)
    {
        var output = new List<int>();
        EncodePiece(text, output);
        return output;
    }

    /// <summary>Text of the tokens as llama.cpp renders them without special tokens: <c>▁</c> as a space, bytes as bytes.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            switch (_vocabulary.TokenTypes[id])
            {
                case SpmVocabulary.TypeByte:
                    bytes.Add(byte.Parse(_vocabulary.Tokens[id].AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    break;
                case SpmVocabulary.TypeNormal or SpmVocabulary.TypeUserDefined:
                    bytes.AddRange(Encoding.UTF8.GetBytes(_vocabulary.Tokens[id].Replace(SpmVocabulary.SpaceMarker, " ", StringComparison.Ordinal)));
                    break;
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private readonly record struct Fragment(int Start, int Length, int? Token);

    private List<Fragment> Partition(string text, bool parseSpecial)
    {
        var fragments = new List<Fragment>();
        if (text.Length > 0) fragments.Add(new Fragment(0, text.Length, null));
        foreach (var special in _specialByLength)
        {
            if (!parseSpecial && _vocabulary.TokenTypes[special] is SpmVocabulary.TypeControl or SpmVocabulary.TypeUnknown) continue;
            var needle = _vocabulary.Tokens[special];
            var next = new List<Fragment>(fragments.Count);
            foreach (var fragment in fragments)
            {
                if (fragment.Token is not null)
                {
                    next.Add(fragment);
                    continue;
                }
                int start = fragment.Start, end = fragment.Start + fragment.Length;
                while (start < end)
                {
                    var match = text.IndexOf(needle, start, end - start, StringComparison.Ordinal);
                    if (match < 0) break;
                    if (match > start) next.Add(new Fragment(start, match - start, null));
                    next.Add(new Fragment(match, needle.Length, special));
                    start = match + needle.Length;
                }
                if (start < end) next.Add(new Fragment(start, end - start, null));
            }
            fragments = next;
        }
        return fragments;
    }

    private struct Symbol
    {
        public int Start;
        public int Length;
        public int Previous;
        public int Next;
    }

    private readonly record struct Bigram(int Left, int Right, int Length);

    /// <summary>Highest score first; equal scores go to the leftmost pair, as llama.cpp's comparator orders them.</summary>
    private sealed class BigramOrder : IComparer<(float Score, int Left)>
    {
        public static readonly BigramOrder Instance = new();

        public int Compare((float Score, int Left) x, (float Score, int Left) y)
        {
            var byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : x.Left.CompareTo(y.Left);
        }
    }

    private void EncodePiece(string raw, List<int> output)
    {
        var text = raw.Replace(" ", SpmVocabulary.SpaceMarker, StringComparison.Ordinal);
        if (text.Length == 0) return;

        // One symbol per Unicode character, as llama.cpp splits the UTF-8 text.
        var symbols = new List<Symbol>();
        for (int offset = 0; offset < text.Length;)
        {
            var length = char.IsSurrogatePair(text, offset) ? 2 : 1;
            symbols.Add(new Symbol { Start = offset, Length = length, Previous = symbols.Count - 1, Next = offset + length < text.Length ? symbols.Count + 1 : -1 });
            offset += length;
        }

        var queue = new PriorityQueue<Bigram, (float, int)>(BigramOrder.Instance);
        void TryAdd(int left, int right)
        {
            if (left < 0 || right < 0) return;
            var merged = text.Substring(symbols[left].Start, symbols[left].Length + symbols[right].Length);
            if (!_ids.TryGetValue(merged, out var id)) return;
            queue.Enqueue(new Bigram(left, right, merged.Length), (_vocabulary.Scores[id], left));
        }
        for (int i = 1; i < symbols.Count; i++) TryAdd(i - 1, i);

        while (queue.TryDequeue(out var bigram, out _))
        {
            var left = symbols[bigram.Left];
            var right = symbols[bigram.Right];
            // A pair whose symbols changed since it was queued is stale.
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != bigram.Length) continue;
            left.Length += right.Length;
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0)
            {
                var after = symbols[right.Next];
                after.Previous = bigram.Left;
                symbols[right.Next] = after;
            }
            symbols[bigram.Left] = left;
            symbols[bigram.Right] = right;
            TryAdd(left.Previous, bigram.Left);
            TryAdd(bigram.Left, left.Next);
        }

        // Every merged symbol is a token by construction; only single characters missing from the vocabulary
        // remain, and those become their UTF-8 bytes (llama.cpp's rev_merge path never applies to them).
        for (int i = 0; i != -1; i = symbols[i].Next)
        {
            var piece = text.Substring(symbols[i].Start, symbols[i].Length);
            if (_ids.TryGetValue(piece, out var id)) output.Add(id);
            else foreach (var b in Encoding.UTF8.GetBytes(piece)) output.Add(_byteTokens[b]);
        }
    }
}
