using SafeDiffusion.Core.Randomness;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// Draws training sequences from a corpus in a seeded order: a group, then K distinct captions of it; the
/// sequence is the group's prompt tokens followed by the answer turn. Batches are right-padded; targets are
/// the next token, or <see cref="IgnoreIndex"/> where no loss is wanted (padding, and the prompt unless the
/// loss covers it).
/// </summary>
internal sealed class TrainingBatchSampler
{
    /// <summary>Target value cross-entropy skips (PyTorch's default ignore_index).</summary>
    public const long IgnoreIndex = -100;

    private readonly CaptionCorpus _corpus;
    private readonly TinyLlamaVocabulary _vocabulary;
    private readonly IReadOnlyList<int>[] _prompts;
    private readonly string[][] _pools;
    private readonly bool _lossOnAnswerOnly;
    private readonly SplitMix64 _random;

    public TrainingBatchSampler(CaptionCorpus corpus, TinyLlamaVocabulary vocabulary, bool lossOnAnswerOnly, long seed)
    {
        _corpus = corpus;
        _vocabulary = vocabulary;
        _lossOnAnswerOnly = lossOnAnswerOnly;
        _random = new SplitMix64(seed);
        _prompts = corpus.Groups.Select(g => vocabulary.EncodePrompt(g.Instruction)).ToArray();
        _pools = corpus.Groups.Select(g => g.Captions.Distinct(StringComparer.Ordinal).ToArray()).ToArray();
    }

    /// <summary>The longest sequence any draw can produce: each group's prompt with its K longest answers.</summary>
    public int LongestSequence()
    {
        var longest = 0;
        var k = _corpus.CaptionsPerAnswer;
        for (int g = 0; g < _prompts.Length; g++)
        {
            var captions = _pools[g]
                .Select(c => _vocabulary.EncodeAnswerTurn([c]).Count - 3)
                .OrderDescending()
                .Take(k)
                .Sum();
            // Open bracket, K-1 separators, close bracket and end of turn around the captions' own tokens.
            longest = Math.Max(longest, _prompts[g].Count + captions + (k - 1) + 3);
        }
        return longest;
    }

    /// <summary>One batch: input ids and targets, both <c>[batchSize, positions]</c> row-major.</summary>
    public (long[] Inputs, long[] Targets, int Positions, int LossTokens) Next(int batchSize)
    {
        var sequences = new List<(int[] Tokens, int PromptLength)>(batchSize);
        for (int i = 0; i < batchSize; i++)
        {
            var g = _random.NextMultiplyShift(_corpus.Groups.Count);
            var answer = _vocabulary.EncodeAnswerTurn(DrawCaptions(_pools[g]));
            sequences.Add(([.. _prompts[g], .. answer], _prompts[g].Count));
        }

        var positions = sequences.Max(s => s.Tokens.Length) - 1;
        var inputs = new long[batchSize * positions];
        var targets = new long[batchSize * positions];
        Array.Fill(inputs, _vocabulary.Spm.EosId);
        Array.Fill(targets, IgnoreIndex);
        var lossTokens = 0;
        for (int b = 0; b < batchSize; b++)
        {
            var (tokens, promptLength) = sequences[b];
            for (int t = 0; t < tokens.Length - 1; t++)
            {
                inputs[b * positions + t] = tokens[t];
                // Position t predicts token t+1; the answer starts at index promptLength.
                if (_lossOnAnswerOnly && t + 1 < promptLength) continue;
                targets[b * positions + t] = tokens[t + 1];
                lossTokens++;
            }
        }
        return (inputs, targets, positions, lossTokens);
    }

    /// <summary>
    /// K distinct captions in random order: a partial Fisher-Yates shuffle of the pool in place. Whatever order
    /// earlier draws left the pool in, a random partial shuffle yields a uniformly random ordered sample.
    /// </summary>
    private List<string> DrawCaptions(string[] pool)
    {
        var k = _corpus.CaptionsPerAnswer;
        for (int i = 0; i < k; i++)
        {
            var j = i + _random.NextMultiplyShift(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..k].ToList();
    }
}
