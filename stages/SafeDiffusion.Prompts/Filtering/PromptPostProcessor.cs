namespace SafeDiffusion.Prompts.Filtering;

/// <summary>
/// Cleans generated prompts one at a time, in a fixed order of checks: whitespace normalisation, empty, too few
/// words, too many CLIP tokens (or words, without a tokenizer), exact duplicate of a kept prompt (ignoring case,
/// punctuation and spacing), then near duplicate (word-shingle MinHash, Jaccard threshold). Keeps a count per
/// reason. Stateful (it remembers kept prompts) and not thread-safe: feed it from one place, in a fixed order,
/// so the same inputs give the same survivors.
/// </summary>
public sealed class PromptPostProcessor
{
    private readonly PromptPostProcessorOptions _options;
    private readonly HashSet<string> _exactKeys = new(StringComparer.Ordinal);
    private readonly NearDuplicateIndex _nearDuplicates;
    private int _seen, _kept, _empty, _tooShort, _tooLong, _exact, _near;

    public PromptPostProcessor(PromptPostProcessorOptions options)
    {
        _options = options;
        _nearDuplicates = new NearDuplicateIndex(options.NearDuplicateThreshold, options.ShingleSize, options.MinHashPermutations);
    }

    public PromptFilterCounts Counts => new(_seen, _kept, _empty, _tooShort, _tooLong, _exact, _near);

    public PromptVerdict Process(string? raw)
    {
        _seen++;
        var text = PromptText.Normalize(raw);
        var reason = Check(text);
        switch (reason)
        {
            case null: _kept++; break;
            case PromptDropReason.Empty: _empty++; break;
            case PromptDropReason.TooShort: _tooShort++; break;
            case PromptDropReason.TooLong: _tooLong++; break;
            case PromptDropReason.ExactDuplicate: _exact++; break;
            case PromptDropReason.NearDuplicate: _near++; break;
        }
        return new PromptVerdict(text, reason);
    }

    private PromptDropReason? Check(string text)
    {
        var key = PromptText.DuplicateKey(text);
        if (key.Length == 0) return PromptDropReason.Empty;
        var words = PromptText.WordCount(text);
        if (words < _options.MinWords) return PromptDropReason.TooShort;
        var tooLong = _options.CountClipTokens is { } count
            ? count(text) > _options.MaxClipTokens
            : words > _options.MaxWordsWithoutTokenizer;
        if (tooLong) return PromptDropReason.TooLong;
        if (_exactKeys.Contains(key)) return PromptDropReason.ExactDuplicate;
        if (!_nearDuplicates.TryAdd(text, out _)) return PromptDropReason.NearDuplicate;
        _exactKeys.Add(key);
        return null;
    }
}
