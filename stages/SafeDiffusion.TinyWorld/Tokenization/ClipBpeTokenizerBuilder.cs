using System.Text;
using System.Text.Json;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Diffusion.Tokenization;

namespace SafeDiffusion.TinyWorld.Tokenization;

/// <summary>
/// Builds a CLIP-format BPE tokenizer folder (<c>vocab.json</c>, <c>merges.txt</c>, <c>tokenizer_config.json</c>,
/// <c>special_tokens_map.json</c>) in which each given word is a single token, while the 512 byte symbols every CLIP
/// vocabulary starts with let any other text tokenize byte by byte.
/// </summary>
/// <remarks>
/// Merges are learned against the encoder itself: each round encodes every word with the merges so far (CLIP's
/// lowest-rank-first rule), counts adjacent pairs in the words not yet whole, and appends the most frequent pair.
/// A new merge has the highest rank, so it can only act where an encoding used to stop: no word's encoding ever
/// gets longer and at least one gets shorter, and the loop ends with every word one token under exactly the
/// encoder that will read the files. Ties break by ordinal order, so the output is a pure function of the words.
/// </remarks>
public static class ClipBpeTokenizerBuilder
{
    public const string MergesHeader = "#version: 0.2";

    public static TokenizerBuildResult Build(IEnumerable<string> words, string folder, int modelMaxLength = ClipTokenizerSettings.DefaultMaxLength)
    {
        var wordList = words.Select(w => w.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var word in wordList)
            if (ClipPreTokenizer.Split(word).Count() != 1)
                throw new ArgumentException($"\"{word}\" is not one pre-token (CLIP splits letters from digits and punctuation); pass its pieces.", nameof(words));

        var merges = LearnMerges(wordList.Select(ByteSymbols).ToList());

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(string token) => vocab.TryAdd(token, vocab.Count);
        foreach (var symbol in ByteLevelAlphabet.Symbols) Add(symbol.ToString());
        foreach (var symbol in ByteLevelAlphabet.Symbols) Add(symbol + ClipBytePairEncoder.EndOfWord);
        foreach (var (first, second) in merges) Add(first + second);
        Add(ClipPreTokenizer.StartOfText);
        Add(ClipPreTokenizer.EndOfText);

        Directory.CreateDirectory(folder);
        var json = new JsonSerializerOptions { WriteIndented = false };
        AtomicFile.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(vocab, json));
        var mergesText = new StringBuilder(MergesHeader).Append('\n');
        foreach (var (first, second) in merges) mergesText.Append(first).Append(' ').Append(second).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(folder, "merges.txt"), mergesText.ToString());
        var special = new Dictionary<string, object>
        {
            ["bos_token"] = ClipPreTokenizer.StartOfText,
            ["eos_token"] = ClipPreTokenizer.EndOfText,
            ["pad_token"] = ClipPreTokenizer.EndOfText,
            ["unk_token"] = ClipPreTokenizer.EndOfText,
        };
        AtomicFile.WriteAllText(Path.Combine(folder, "special_tokens_map.json"), JsonSerializer.Serialize(special, new JsonSerializerOptions { WriteIndented = true }));
        var config = new Dictionary<string, object>(special)
        {
            ["tokenizer_class"] = "CLIPTokenizer",
            ["model_max_length"] = modelMaxLength,
            ["do_lower_case"] = true,
            ["errors"] = "replace",
            ["add_prefix_space"] = false,
            ["clean_up_tokenization_spaces"] = true,
        };
        AtomicFile.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));

        return new TokenizerBuildResult(folder, vocab.Count, merges.Count, vocab[ClipPreTokenizer.StartOfText], vocab[ClipPreTokenizer.EndOfText], wordList.Count);
    }

    /// <summary>A word as CLIP's BPE starts it: one symbol per UTF-8 byte, the last marked as the end of a word.</summary>
    internal static List<string> ByteSymbols(string word)
    {
        var symbols = Encoding.UTF8.GetBytes(word).Select(b => ByteLevelAlphabet.Encode(b).ToString()).ToList();
        symbols[^1] += ClipBytePairEncoder.EndOfWord;
        return symbols;
    }

    internal static List<(string First, string Second)> LearnMerges(IReadOnlyList<List<string>> words)
    {
        var merges = new List<(string, string)>();
        var ranks = new Dictionary<(string, string), int>();
        while (true)
        {
            var counts = new Dictionary<(string, string), int>();
            foreach (var word in words)
            {
                var encoded = Encode(word, ranks);
                for (int i = 0; i + 1 < encoded.Count; i++)
                {
                    var pair = (encoded[i], encoded[i + 1]);
                    counts[pair] = counts.GetValueOrDefault(pair) + 1;
                }
            }
            if (counts.Count == 0) return merges;
            var best = counts.OrderByDescending(kv => kv.Value)
                .ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal).First().Key;
            ranks[best] = merges.Count;
            merges.Add(best);
        }
    }

    /// <summary>openai/CLIP's <c>bpe</c>: merge the lowest-ranked adjacent pair everywhere it occurs until none is ranked.</summary>
    private static List<string> Encode(List<string> symbols, Dictionary<(string, string), int> ranks)
    {
        var word = new List<string>(symbols);
        while (word.Count > 1)
        {
            int best = int.MaxValue;
            (string, string) pair = default;
            for (int i = 0; i + 1 < word.Count; i++)
                if (ranks.TryGetValue((word[i], word[i + 1]), out var r) && r < best) (best, pair) = (r, (word[i], word[i + 1]));
            if (best == int.MaxValue) break;
            var merged = new List<string>(word.Count);
            for (int i = 0; i < word.Count;)
            {
                if (i + 1 < word.Count && word[i] == pair.Item1 && word[i + 1] == pair.Item2) { merged.Add(pair.Item1 + pair.Item2); i += 2; }
                else { merged.Add(word[i]); i++; }
            }
            word = merged;
        }
        return word;
    }
}
