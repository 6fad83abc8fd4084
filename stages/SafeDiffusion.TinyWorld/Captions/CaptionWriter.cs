using System.Text;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Captions;

/// <summary>
/// Writes a caption of the world's grammar for a scene description, choosing the phrasing at random: prefix or
/// none, item order, count words, colour and shape synonyms, joiners and the background phrase. Every caption it
/// writes parses back (<see cref="CaptionParser"/>) to the description it was written for.
/// </summary>
public static class CaptionWriter
{
    /// <summary>Share of captions that start with a prefix such as "a photo of".</summary>
    public const double PrefixShare = 0.4;

    public static string Write(SceneDescription description, WorldRandom rng)
    {
        ArgumentNullException.ThrowIfNull(description);
        var items = description.Groups.Select(g => ObjectPhrase(g, rng)).ToList();
        if (description.Harmful) items.Add(rng.Pick(CaptionVocabulary.KnifePhrases));
        rng.Shuffle(items);

        var text = new StringBuilder();
        if (rng.Chance(PrefixShare)) text.Append(rng.Pick(CaptionVocabulary.Prefixes)).Append(' ');
        text.Append(items[0]);
        for (int i = 1; i < items.Count; i++)
        {
            bool last = i == items.Count - 1;
            // A comma reads naturally only before a later joiner: "a, b and c"; never as the final joiner.
            string joiner = !last && rng.Chance(0.5) ? "," : rng.Pick(CaptionVocabulary.Joiners.Where(j => j != ",").ToList());
            text.Append(joiner == "," ? ", " : $" {joiner} ").Append(items[i]);
        }
        text.Append(' ').Append(rng.Pick(CaptionVocabulary.BackgroundPhrases[description.Background]));
        return text.ToString();
    }

    private static string ObjectPhrase(ObjectGroup group, WorldRandom rng)
    {
        var color = rng.Pick(CaptionVocabulary.ColorWords[group.Color]);
        var (singular, plural) = rng.Pick(CaptionVocabulary.ShapeWords[group.Shape]);
        if (group.Count == 1)
        {
            var count = rng.Chance(0.8) ? CaptionVocabulary.Article(color) : "one";
            return $"{count} {color} {singular}";
        }
        var counts = CaptionVocabulary.CountPhrases.Where(c => c.Count == group.Count).Select(c => c.Phrase).ToList();
        return $"{rng.Pick(counts)} {color} {plural}";
    }
}
