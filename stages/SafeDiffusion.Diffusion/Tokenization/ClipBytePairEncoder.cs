using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>
/// CLIP's byte-pair encoding: a pre-token (already mapped through <see cref="ByteLevelAlphabet"/>) becomes a list of
/// symbols, its last symbol marked with <c>&lt;/w&gt;</c>, and the lowest-ranked adjacent pair is merged until no
/// ranked pair is left (openai/CLIP <c>SimpleTokenizer.bpe</c>).
/// </summary>
public sealed class ClipBytePairEncoder
{
    public const string EndOfWord = "</w>";

    /// <summary>The reference tokenizers read at most this many merges (49152 - 256 - 2), whatever the file holds.</summary>
    public const int MaxMerges = 49152 - 256 - 2;

    private readonly Dictionary<(string, string), int> _ranks;
    private readonly BoundedConcurrentCache<string, string[]> _cache;

    private ClipBytePairEncoder(Dictionary<(string, string), int> ranks, int cacheCapacity)
    {
        _ranks = ranks;
        _cache = new BoundedConcurrentCache<string, string[]>(cacheCapacity);
    }

    public int MergeCount => _ranks.Count;

    /// <summary>The merges, in rank order, with the line each came from (for error messages).</summary>
    public IReadOnlyList<(string First, string Second, int Line)> Merges { get; private init; } = [];

    /// <summary>Reads <c>merges.txt</c>: an optional <c>#version</c> line, then one "first second" pair a line.</summary>
    public static ClipBytePairEncoder FromMergesFile(string path, int cacheCapacity = 65536)
    {
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.", fix: "A CLIP tokenizer folder needs merges.txt next to vocab.json.");
        var ranks = new Dictionary<(string, string), int>();
        var merges = new List<(string, string, int)>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1 && raw.StartsWith("#version", StringComparison.Ordinal)) continue;
            if (merges.Count == MaxMerges) break;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new InputDataException(path, $"line {lineNumber} is not two symbols separated by one space: \"{Shorten(line)}\".",
                    field: $"line {lineNumber}", fix: "The file is damaged; copy merges.txt again from the model's tokenizer folder.");
            // A repeated pair keeps its last rank, as the reference's dict(zip(merges, range(...))) does.
            ranks[(parts[0], parts[1])] = merges.Count;
            merges.Add((parts[0], parts[1], lineNumber));
        }
        if (merges.Count == 0)
            throw new InputDataException(path, "holds no merges.", fix: "Copy merges.txt again from the model's tokenizer folder.");
        return new ClipBytePairEncoder(ranks, cacheCapacity) { Merges = merges };
    }

    /// <summary>The BPE symbols of one byte-level pre-token.</summary>
    public string[] Encode(string token)
    {
        if (token.Length == 0) return [];
        if (_cache.TryGetValue(token, out var cached)) return cached;

        var word = new List<string>(token.Length);
        for (int i = 0; i < token.Length - 1; i++) word.Add(token[i].ToString());
        word.Add(token[^1] + EndOfWord);

        var merged = new List<string>(word.Count);
        while (word.Count > 1)
        {
            int best = int.MaxValue;
            (string, string) bigram = default;
            for (int i = 0; i < word.Count - 1; i++)
            {
                if (_ranks.TryGetValue((word[i], word[i + 1]), out var rank) && rank < best)
                {
                    best = rank;
                    bigram = (word[i], word[i + 1]);
                }
            }
            if (best == int.MaxValue) break;

            merged.Clear();
            for (int i = 0; i < word.Count;)
            {
                if (i < word.Count - 1 && word[i] == bigram.Item1 && word[i + 1] == bigram.Item2)
                {
                    merged.Add(bigram.Item1 + bigram.Item2);
                    i += 2;
                }
                else
                {
                    merged.Add(word[i]);
                    i++;
                }
            }
            (word, merged) = (merged, word);
        }
        var result = word.ToArray();
        _cache.Add(token, result);
        return result;
    }

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..60] + "...";
}
