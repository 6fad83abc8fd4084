using System.Diagnostics.CodeAnalysis;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Captions;

/// <summary>
/// Reads a caption of the world's grammar (see <see cref="CaptionVocabulary"/>) back into the scene it describes:
/// background, knife or not, and the objects by colour, shape and count. Case, surrounding space, repeated spaces
/// and one final full stop are forgiven; anything else outside the grammar is refused with the reason (an unknown
/// word, "a orange", "two red circle", a second knife, more items than a scene holds, no background).
/// </summary>
public static class CaptionParser
{
    private static readonly IReadOnlyList<string[]> PrefixWords = CaptionVocabulary.Prefixes.Select(Split).OrderByDescending(p => p.Length).ToList();
    private static readonly IReadOnlyList<string[]> JoinerWords = CaptionVocabulary.Joiners.Select(Split).OrderByDescending(p => p.Length).ToList();
    private static readonly IReadOnlyList<string[]> KnifeWords = CaptionVocabulary.KnifePhrases.Select(Split).OrderByDescending(p => p.Length).ToList();
    private static readonly IReadOnlyList<(string[] Words, Background Background)> BackgroundWords = CaptionVocabulary.BackgroundPhrases
        .SelectMany(kv => kv.Value.Select(p => (Split(p), kv.Key))).OrderByDescending(p => p.Item1.Length).ToList();
    private static readonly IReadOnlyList<(string[] Words, int Count)> CountWords = CaptionVocabulary.CountPhrases
        .Select(c => (Split(c.Phrase), c.Count)).OrderByDescending(c => c.Item1.Length).ToList();
    private static readonly IReadOnlyDictionary<string, ShapeColor> Colors = CaptionVocabulary.ColorWords
        .SelectMany(kv => kv.Value.Select(w => (w, kv.Key))).ToDictionary(p => p.w, p => p.Key, StringComparer.Ordinal);
    private static readonly IReadOnlyDictionary<string, (ShapeKind Shape, bool Plural)> Shapes = CaptionVocabulary.ShapeWords
        .SelectMany(kv => kv.Value.SelectMany(w => new[] { (w.Singular, (kv.Key, false)), (w.Plural, (kv.Key, true)) }))
        .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    public static SceneDescription Parse(string caption) =>
        TryParse(caption, out var description, out var error) ? description : throw new FormatException($"\"{caption}\" is not a caption of the world: {error}");

    public static bool TryParse(string caption, [NotNullWhen(true)] out SceneDescription? description, [NotNullWhen(false)] out string? error)
    {
        description = null;
        var words = Normalize(caption);
        if (words.Length == 0) { error = "it is empty."; return false; }

        int start = 0, end = words.Length;
        foreach (var prefix in PrefixWords)
            if (Matches(words, 0, prefix)) { start = prefix.Length; break; }

        Background? background = null;
        foreach (var (phrase, kind) in BackgroundWords)
        {
            if (end - phrase.Length >= start && Matches(words, end - phrase.Length, phrase))
            {
                background = kind;
                end -= phrase.Length;
                break;
            }
        }
        if (background is null) { error = "it does not end with a background phrase (e.g. \"on the grass\", \"at night\")."; return false; }

        var groups = new List<ObjectGroup>();
        bool knife = false;
        int i = start;
        while (true)
        {
            if (i >= end) { error = "an item (\"a red circle\", \"a bloody knife\") is missing before the background."; return false; }
            if (MatchKnife(words, i, end) is { } knifeLength)
            {
                if (knife) { error = "it names the knife twice; a scene holds one knife."; return false; }
                knife = true;
                i += knifeLength;
            }
            else if (!TryObject(words, ref i, end, groups, out error)) return false;

            if (i == end) break;
            var joiner = JoinerWords.FirstOrDefault(j => i + j.Length <= end && Matches(words, i, j));
            if (joiner is null) { error = $"\"{words[i]}\" is where a joiner (and, with, next to, beside, near, a comma) or the background should be."; return false; }
            i += joiner.Length;
        }

        int objects = groups.Sum(g => g.Count);
        if (!SceneDescription.IsWithinLimits(objects, knife))
        {
            error = $"it has {objects} object(s){(knife ? " and the knife" : "")}; a scene holds 1 to {SceneDescription.MaxItems} items.";
            return false;
        }
        description = SceneDescription.Create(background.Value, knife, groups);
        error = null;
        return true;
    }

    private static int? MatchKnife(string[] words, int at, int end)
    {
        foreach (var phrase in KnifeWords)
            if (at + phrase.Length <= end && Matches(words, at, phrase)) return phrase.Length;
        return null;
    }

    private static bool TryObject(string[] words, ref int i, int end, List<ObjectGroup> groups, [NotNullWhen(false)] out string? error)
    {
        int from = i;
        var count = CountWords.FirstOrDefault(c => from + c.Words.Length <= end && Matches(words, from, c.Words));
        if (count.Words is null) { error = $"\"{words[i]}\" is where a count (a, an, one, two, a pair of, three) or a knife phrase should be."; return false; }
        int at = i + count.Words.Length;
        if (at + 2 > end) { error = $"\"{string.Join(' ', words[i..end])}\" needs a colour and a shape."; return false; }
        if (!Colors.TryGetValue(words[at], out var color)) { error = $"\"{words[at]}\" is not a colour of the world (red, green, blue, yellow, purple, violet, orange)."; return false; }
        if (!Shapes.TryGetValue(words[at + 1], out var shape)) { error = $"\"{words[at + 1]}\" is not a shape of the world (circle, disc, square, triangle, star)."; return false; }
        if (count.Count == 1 && shape.Plural || count.Count > 1 && !shape.Plural)
        {
            error = $"\"{string.Join(' ', words[i..(at + 2)])}\": the count and the {(shape.Plural ? "plural" : "singular")} shape disagree.";
            return false;
        }
        var article = count.Words.Length == 1 && count.Words[0] is "a" or "an" ? count.Words[0] : null;
        if (article is not null && article != CaptionVocabulary.Article(words[at]))
        {
            error = $"\"{article} {words[at]}\" should be \"{CaptionVocabulary.Article(words[at])} {words[at]}\".";
            return false;
        }
        groups.Add(new ObjectGroup(color, shape.Shape, count.Count));
        i = at + 2;
        error = null;
        return true;
    }

    private static bool Matches(string[] words, int at, string[] phrase)
    {
        if (at + phrase.Length > words.Length) return false;
        for (int k = 0; k < phrase.Length; k++)
            if (!string.Equals(words[at + k], phrase[k], StringComparison.Ordinal)) return false;
        return true;
    }

    /// <summary>Lower-cased words; a comma is a word of its own; one trailing full stop is dropped.</summary>
    private static string[] Normalize(string caption)
    {
        var text = (caption ?? "").Trim().ToLowerInvariant();
        if (text.EndsWith('.')) text = text[..^1];
        return Split(text.Replace(",", " , ", StringComparison.Ordinal));
    }

    private static string[] Split(string phrase) => phrase.Split((char[])[' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
}
