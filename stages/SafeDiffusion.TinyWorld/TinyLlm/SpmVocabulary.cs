using System.Globalization;
using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// A SentencePiece-style ("llama" tokenizer model) vocabulary in the form GGUF stores it: token texts with
/// <c>▁</c> for a space, a score per token (llama.cpp merges the highest-scoring pairs first) and a token type
/// (llama_token_type: 1 normal, 2 unknown, 3 control, 6 byte).
/// </summary>
public sealed record SpmVocabulary(
    IReadOnlyList<string> Tokens,
    IReadOnlyList<float> Scores,
    IReadOnlyList<int> TokenTypes,
    int UnknownId,
    int BosId,
    int EosId)
{
    public const string SpaceMarker = "\u2581";

    public const int TypeNormal = 1;
    public const int TypeUnknown = 2;
    public const int TypeControl = 3;
    public const int TypeUserDefined = 4;
    public const int TypeByte = 6;

    public int Count => Tokens.Count;

    /// <summary>
    /// Builds a vocabulary in which every word of <paramref name="words"/> is a single token (<c>▁word</c>), so
    /// text made of those words tokenizes and decodes as whole words. llama.cpp's SPM tokenizer merges adjacent
    /// pieces only when the merged text is itself a token, so every prefix of <c>▁word</c> is added as well, and
    /// longer pieces score higher. Byte tokens <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c> cover any other text.
    /// </summary>
    public static SpmVocabulary ForWords(IEnumerable<string> words, IEnumerable<string>? controlTokens = null)
    {
        var tokens = new List<string>();
        var scores = new List<float>();
        var types = new List<int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string text, float score, int type)
        {
            if (!seen.Add(text)) return;
            tokens.Add(text);
            scores.Add(score);
            types.Add(type);
        }

        Add("<unk>", 0, TypeUnknown);
        Add("<s>", 0, TypeControl);
        Add("</s>", 0, TypeControl);
        for (int b = 0; b < 256; b++) Add($"<0x{b.ToString("X2", CultureInfo.InvariantCulture)}>", 0, TypeByte);
        foreach (var control in controlTokens ?? []) Add(control, 0, TypeControl);

        Add(SpaceMarker, -1, TypeNormal);
        for (char c = '!'; c <= '~'; c++) Add(c.ToString(), -1, TypeNormal);

        foreach (var raw in words)
        {
            var word = raw.Trim();
            if (word.Length == 0 || word.Any(char.IsWhiteSpace)) throw new ArgumentException($"'{raw}' is not a single word.", nameof(words));
            var piece = SpaceMarker + word;
            for (int length = 2; length <= piece.Length; length++) Add(piece[..length], length, TypeNormal);
        }
        return new SpmVocabulary(tokens, scores, types, UnknownId: 0, BosId: 1, EosId: 2);
    }

    /// <summary>True for tokens that are a whole word of the word list rather than a prefix or a single character.</summary>
    public bool IsWholeWord(int id, ISet<string> words) =>
        Tokens[id].StartsWith(SpaceMarker, StringComparison.Ordinal) && words.Contains(Tokens[id][1..]);

    /// <summary>Writes the tokenizer keys llama.cpp reads for an SPM ("llama") tokenizer.</summary>
    public void AddTo(GgufWriter writer)
    {
        writer.Add(LlamaGgufLayout.TokenizerModelKey, "llama");
        writer.Add(LlamaGgufLayout.TokensKey, GgufValue.Array(Tokens.ToArray()));
        writer.Add(LlamaGgufLayout.ScoresKey, GgufValue.Array(Scores.ToArray()));
        writer.Add(LlamaGgufLayout.TokenTypeKey, GgufValue.Array(TokenTypes.ToArray()));
        writer.Add(LlamaGgufLayout.BosIdKey, (uint)BosId);
        writer.Add(LlamaGgufLayout.EosIdKey, (uint)EosId);
        writer.Add(LlamaGgufLayout.UnknownIdKey, (uint)UnknownId);
        writer.Add(LlamaGgufLayout.AddBosKey, true);
        writer.Add(LlamaGgufLayout.AddEosKey, false);
    }
}
