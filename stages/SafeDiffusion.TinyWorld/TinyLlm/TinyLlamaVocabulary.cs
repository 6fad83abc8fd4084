using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// The word-level SPM vocabulary of a tiny writer model, built from its corpus: every word of the captions and
/// instructions is one <c>▁word</c> token (<see cref="SpmVocabulary.ForWords"/>, with the ChatML control tokens,
/// ASCII characters and all 256 byte tokens, so llama.cpp can tokenize any text). On top of that come the
/// pieces an answer is written with: a caption's first word without the space marker (it follows a quote), and
/// the JSON punctuation <c>["</c>, <c>", "</c> and <c>"]</c>.
/// </summary>
/// <remarks>
/// Prompts are tokenized by <see cref="SpmTokenizer"/>, which reproduces llama.cpp, so training sees the ids the
/// writer will feed. Answers are composed token by token (<see cref="EncodeAnswerTurn"/>): at generation time
/// the model emits tokens one at a time and llama.cpp never re-tokenizes them, so the answer's segmentation is
/// the model's to choose; one word per token keeps captions short in tokens and easy to learn. The added pieces
/// score 0, below every <c>▁</c> prefix (scores 2 and up), so they never interrupt a known word's merges.
/// </remarks>
public sealed class TinyLlamaVocabulary
{
    public const string OpenArray = "[\"";
    public const string Separator = "\", \"";
    public const string CloseArray = "\"]";

    /// <summary>GGUF key for llama.cpp's SPM space prefix; written explicitly so no default is relied on.</summary>
    public const string AddSpacePrefixKey = "tokenizer.ggml.add_space_prefix";

    private readonly int _openArray;
    private readonly int _separator;
    private readonly int _closeArray;

    private TinyLlamaVocabulary(SpmVocabulary spm)
    {
        Spm = spm;
        Tokenizer = new SpmTokenizer(spm, addSpacePrefix: true);
        _openArray = Require(OpenArray);
        _separator = Require(Separator);
        _closeArray = Require(CloseArray);
        TurnEndId = Require(ChatMlFormat.TurnEnd);
    }

    public SpmVocabulary Spm { get; }
    public SpmTokenizer Tokenizer { get; }
    public int Count => Spm.Count;
    public int TurnEndId { get; }

    /// <summary>The vocabulary for <paramref name="corpus"/>; the same corpus always gives the same ids.</summary>
    public static TinyLlamaVocabulary Build(CaptionCorpus corpus)
    {
        corpus.Validate();
        var words = new SortedSet<string>(StringComparer.Ordinal) { ChatMlFormat.UserRole, ChatMlFormat.AssistantRole };
        var firstWords = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var group in corpus.Groups)
        {
            foreach (var word in group.Instruction.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                // A prefix of a word with characters outside the BMP could split a surrogate pair; such words
                // are left to the byte fallback.
                if (!word.Any(char.IsSurrogate)) words.Add(word);
            }
            foreach (var caption in group.Captions)
            {
                var captionWords = caption.Split(' ');
                words.UnionWith(captionWords);
                firstWords.Add(captionWords[0]);
            }
        }

        var baseVocabulary = SpmVocabulary.ForWords(words, ChatMlFormat.ControlTokens);
        var tokens = baseVocabulary.Tokens.ToList();
        var scores = baseVocabulary.Scores.ToList();
        var types = baseVocabulary.TokenTypes.ToList();
        var seen = tokens.ToHashSet(StringComparer.Ordinal);
        foreach (var piece in firstWords.Concat([OpenArray, Separator, CloseArray]))
        {
            var text = piece.Replace(" ", SpmVocabulary.SpaceMarker, StringComparison.Ordinal);
            if (!seen.Add(text)) continue;
            tokens.Add(text);
            scores.Add(0);
            types.Add(SpmVocabulary.TypeNormal);
        }
        return new TinyLlamaVocabulary(baseVocabulary with { Tokens = tokens, Scores = scores, TokenTypes = types });
    }

    /// <summary>The JSON array the answer to a request is: <c>["first", "second", ...]</c>.</summary>
    public static string AnswerText(IReadOnlyList<string> captions) => OpenArray + string.Join(Separator, captions) + CloseArray;

    /// <summary>BOS and the ChatML user turn with <paramref name="instruction"/>, tokenized as llama.cpp tokenizes the writer's prompt.</summary>
    public IReadOnlyList<int> EncodePrompt(string instruction) =>
        Tokenizer.Encode(ChatMlFormat.UserTurn(instruction), addBos: true, parseSpecial: true);

    /// <summary>The assistant's answer (<see cref="AnswerText"/>) composed word by word, then the end of the turn.</summary>
    public IReadOnlyList<int> EncodeAnswerTurn(IReadOnlyList<string> captions)
    {
        if (captions.Count == 0) throw new ArgumentException("An answer holds at least one caption.", nameof(captions));
        var output = new List<int> { _openArray };
        for (int i = 0; i < captions.Count; i++)
        {
            if (i > 0) output.Add(_separator);
            var space = captions[i].IndexOf(' ', StringComparison.Ordinal);
            var first = space < 0 ? captions[i] : captions[i][..space];
            if (Tokenizer.Find(first) is { } id) output.Add(id);
            else output.AddRange(Tokenizer.EncodePiece(first));
            if (space >= 0) output.AddRange(Tokenizer.EncodePiece(captions[i][space..]));
        }
        output.Add(_closeArray);
        output.Add(TurnEndId);
        return output;
    }

    /// <summary>Writes the tokenizer keys, the explicit space-prefix flag and the ChatML chat template.</summary>
    public void AddTo(GgufWriter writer)
    {
        Spm.AddTo(writer);
        writer.Add(AddSpacePrefixKey, Tokenizer.AddSpacePrefix);
        writer.Add(LlamaGgufLayout.ChatTemplateKey, ChatMlFormat.Template);
    }

    private int Require(string text) =>
        Tokenizer.Find(text.Replace(" ", SpmVocabulary.SpaceMarker, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"The vocabulary lacks the token '{text}'.");
}
