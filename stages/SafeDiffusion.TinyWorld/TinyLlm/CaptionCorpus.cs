using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SafeDiffusion.Prompts.Configuration;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// What a tiny writer model learns from: per instruction, a pool of captions; every training answer is a JSON
/// array of <see cref="CaptionsPerAnswer"/> distinct captions drawn from the instruction's pool, the format the
/// prompt writer's grammar asks for. Captions are single-spaced words with no quote, backslash or control
/// character, so they need no JSON escaping and the grammar's string rule admits them as they are.
/// </summary>
public sealed record CaptionCorpus(IReadOnlyList<CaptionGroup> Groups, int CaptionsPerAnswer)
{
    /// <summary>
    /// A corpus whose instructions are the writer's own: each category's instruction filled in from
    /// <paramref name="config"/> with K = <see cref="HarmfulPromptsConfig.PromptsPerRequest"/>.
    /// </summary>
    public static CaptionCorpus ForWriter(HarmfulPromptsConfig config, Func<HarmCategoryConfig, IReadOnlyList<string>> captionsFor)
    {
        var k = config.PromptsPerRequest;
        var groups = config.Categories
            .Select(c => new CaptionGroup(c.InstructionFor(config.InstructionTemplate, k), captionsFor(c)))
            .ToList();
        return new CaptionCorpus(groups, k);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first group or caption the trainer cannot use.</summary>
    public void Validate()
    {
        if (CaptionsPerAnswer < 1) throw new ArgumentException($"CaptionsPerAnswer is {CaptionsPerAnswer}; an answer holds at least one caption.");
        if (Groups.Count == 0) throw new ArgumentException("The corpus has no caption groups.");
        for (int g = 0; g < Groups.Count; g++)
        {
            var group = Groups[g];
            if (string.IsNullOrWhiteSpace(group.Instruction)) throw new ArgumentException($"Group {g} has an empty instruction.");
            var distinct = group.Captions.Distinct(StringComparer.Ordinal).Count();
            if (distinct < CaptionsPerAnswer)
                throw new ArgumentException($"Group {g} has {distinct} distinct captions; an answer needs {CaptionsPerAnswer} different ones.");
            foreach (var caption in group.Captions)
            {
                if (ProblemWith(caption) is { } problem)
                    throw new ArgumentException($"Group {g}, caption '{caption}': {problem}");
            }
        }
    }

    /// <summary>SHA-256 (hex) of the corpus content: instructions, captions in order, and K.</summary>
    public string ContentHash()
    {
        var text = new StringBuilder();
        text.Append(CaptionsPerAnswer.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var group in Groups)
        {
            // Lengths delimit the fields, so no choice of separator can make two corpora hash alike.
            Field(text, group.Instruction);
            text.Append(group.Captions.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            foreach (var caption in group.Captions) Field(text, caption);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void Field(StringBuilder text, string value) =>
        text.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');

    private static string? ProblemWith(string caption)
    {
        if (caption.Length == 0) return "it is empty.";
        if (caption != caption.Trim() || caption.Contains("  ", StringComparison.Ordinal)) return "words must be separated by single spaces with none at either end.";
        foreach (var c in caption)
        {
            if (c is '"' or '\\') return "it contains a quote or backslash, which a JSON string would have to escape.";
            if (char.IsControl(c) || (char.IsWhiteSpace(c) && c != ' ')) return "it contains a control or non-space whitespace character.";
            if (char.IsSurrogate(c)) return "it contains a character outside the Basic Multilingual Plane.";
        }
        return null;
    }
}
