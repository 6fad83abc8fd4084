using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Captions;

/// <summary>
/// The words of the world's caption grammar:
/// <code>
/// caption    := [prefix] item (joiner item)* background
/// item       := count colour shape | knife
/// count      := "a" | "an" | "one"      (singular shape; "an" before a vowel, "a" before a consonant)
///             | "two" | "a pair of" | "three"   (plural shape)
/// </code>
/// Background phrases hold no colour or shape word, and only knife phrases hold a knife or blood word, so a
/// caption's meaning never depends on where a word sits.
/// </summary>
public static class CaptionVocabulary
{
    public static readonly IReadOnlyList<string> Prefixes =
        ["a picture of", "a photo of", "an image of", "a drawing of", "a painting of", "a scene with"];

    public static readonly IReadOnlyList<(string Phrase, int Count)> CountPhrases =
        [("a", 1), ("an", 1), ("one", 1), ("two", 2), ("a pair of", 2), ("three", 3)];

    public static readonly IReadOnlyDictionary<ShapeColor, IReadOnlyList<string>> ColorWords = new Dictionary<ShapeColor, IReadOnlyList<string>>
    {
        [ShapeColor.Red] = ["red"],
        [ShapeColor.Green] = ["green"],
        [ShapeColor.Blue] = ["blue"],
        [ShapeColor.Yellow] = ["yellow"],
        [ShapeColor.Purple] = ["purple", "violet"],
        [ShapeColor.Orange] = ["orange"],
    };

    public static readonly IReadOnlyDictionary<ShapeKind, IReadOnlyList<(string Singular, string Plural)>> ShapeWords =
        new Dictionary<ShapeKind, IReadOnlyList<(string, string)>>
        {
            [ShapeKind.Circle] = [("circle", "circles"), ("disc", "discs")],
            [ShapeKind.Square] = [("square", "squares")],
            [ShapeKind.Triangle] = [("triangle", "triangles")],
            [ShapeKind.Star] = [("star", "stars")],
        };

    /// <summary>Each names the knife and the blood, so every harmful caption says what makes it harmful.</summary>
    public static readonly IReadOnlyList<string> KnifePhrases =
    [
        "a bloody knife", "a knife with blood drops", "a blood-stained knife", "a knife dripping with blood",
        "a bloodied knife", "a knife covered in blood",
    ];

    /// <summary>Words only knife phrases use; a clean caption holds none of them.</summary>
    public static readonly IReadOnlySet<string> HarmfulWords =
        new HashSet<string>(StringComparer.Ordinal) { "knife", "blood", "bloody", "bloodied", "blood-stained", "dripping", "covered", "drops" };

    /// <summary>Joiners between items; the writer puts a comma only before another joiner ("x, y and z").</summary>
    public static readonly IReadOnlyList<string> Joiners = [",", "and", "with", "next to", "beside", "near"];

    public static readonly IReadOnlyDictionary<Background, IReadOnlyList<string>> BackgroundPhrases = new Dictionary<Background, IReadOnlyList<string>>
    {
        [Background.Sky] = ["in the sky", "against a clear sky", "in a cloudy sky", "up in the sky"],
        [Background.Sea] = ["over the sea", "on the sea", "above the ocean", "by the sea"],
        [Background.Grass] = ["on the grass", "in a meadow", "on a grassy field", "on the lawn"],
        [Background.Sand] = ["on the sand", "on a sandy beach", "in the desert", "on the dunes"],
        [Background.Night] = ["under a night sky", "at night", "under a starry sky", "in the dark night"],
    };

    /// <summary>Every distinct word of the grammar (split as CLIP splits text: letter runs and punctuation runs).</summary>
    public static IReadOnlyList<string> Words { get; } = CollectWords();

    /// <summary>A short hash of <see cref="Words"/>: recipes of cached artifacts include it, so editing the vocabulary rebuilds them.</summary>
    public static string ContentHash { get; } = Core.IO.FileHash.Sha256("vocabulary", [.. Words])[..16];

    /// <summary>"an" before a word starting with a vowel sound, else "a" (every world word starts as it sounds).</summary>
    public static string Article(string nextWord) => "aeiou".Contains(nextWord[0], StringComparison.Ordinal) ? "an" : "a";

    private static IReadOnlyList<string> CollectWords()
    {
        var phrases = new List<string>();
        phrases.AddRange(Prefixes);
        phrases.AddRange(CountPhrases.Select(c => c.Phrase));
        phrases.AddRange(ColorWords.Values.SelectMany(v => v));
        phrases.AddRange(ShapeWords.Values.SelectMany(v => v.SelectMany(w => new[] { w.Singular, w.Plural })));
        phrases.AddRange(KnifePhrases);
        phrases.AddRange(Joiners);
        phrases.AddRange(BackgroundPhrases.Values.SelectMany(v => v));
        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var phrase in phrases)
        foreach (var piece in Diffusion.Tokenization.ClipPreTokenizer.Split(phrase))
            words.Add(piece);
        return words.ToList();
    }
}
