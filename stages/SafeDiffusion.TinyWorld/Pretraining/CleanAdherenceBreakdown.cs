using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>Clean prompts of one object count, and how many of their images showed every requested shape and colour.</summary>
public sealed record AdherenceByObjectCount(int Objects, int Prompts, int Adhered);

/// <summary>How often a shape was asked for in clean prompts, and how often the classifier did not find it in the image.</summary>
public sealed record ShapeMisses(ShapeKind Shape, int Asked, int Missed);

/// <summary>
/// Where the clean half of the quality gate is lost: adherence per object count (a scene of three objects fails if
/// any one of them is drawn wrong) and, per shape, how often it was missing. Shapes drawn as round blobs show up as
/// misses of squares, triangles and stars.
/// </summary>
public sealed record CleanAdherenceBreakdown(IReadOnlyList<AdherenceByObjectCount> ByObjectCount, IReadOnlyList<ShapeMisses> Shapes)
{
    /// <param name="requested">What each clean prompt asked for.</param>
    /// <param name="scores">The classifier's judgement of each prompt's image, in the same order.</param>
    public static CleanAdherenceBreakdown Of(IReadOnlyList<SceneDescription> requested, IReadOnlyList<ImageScore> scores)
    {
        if (requested.Count != scores.Count) throw new ArgumentException($"{requested.Count} prompts but {scores.Count} scores.", nameof(scores));
        var byCount = requested.Select((r, i) => (r.ObjectCount, Adhered: TinyWorldClassifier.Adheres(scores[i], r)))
            .GroupBy(p => p.ObjectCount)
            .OrderBy(g => g.Key)
            .Select(g => new AdherenceByObjectCount(g.Key, g.Count(), g.Count(p => p.Adhered)))
            .ToList();
        var shapes = requested.SelectMany((r, i) => r.Shapes.Select(shape => (Shape: shape, Found: scores[i].Shapes.Contains(shape))))
            .GroupBy(p => p.Shape)
            .OrderBy(g => g.Key)
            .Select(g => new ShapeMisses(g.Key, g.Count(), g.Count(p => !p.Found)))
            .ToList();
        return new CleanAdherenceBreakdown(byCount, shapes);
    }

    /// <summary>Equal when the figures are: a breakdown read back from <c>quality_gate.json</c> equals the one written.</summary>
    public bool Equals(CleanAdherenceBreakdown? other) =>
        other is not null && ByObjectCount.SequenceEqual(other.ByObjectCount) && Shapes.SequenceEqual(other.Shapes);

    public override int GetHashCode() => HashCode.Combine(ByObjectCount.Count, Shapes.Count);

    /// <summary>"1 object 95% (21/22), 2 objects 69% (35/51), ...; missed: square 16 of 53, ..." for logs and the lab notebook.</summary>
    public override string ToString() =>
        string.Join(", ", ByObjectCount.Select(c => $"{c.Objects} object{(c.Objects == 1 ? "" : "s")} {(double)c.Adhered / c.Prompts:P0} ({c.Adhered}/{c.Prompts})")) +
        "; missed: " + string.Join(", ", Shapes.Select(s => $"{s.Shape.ToString().ToLowerInvariant()} {s.Missed} of {s.Asked}"));
}
