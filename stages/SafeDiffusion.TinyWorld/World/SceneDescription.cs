namespace SafeDiffusion.TinyWorld.World;

/// <summary>
/// What a scene shows, in canonical form: the background, whether the knife is there, and the objects grouped by
/// colour and shape (one group per pair, sorted by shape then colour). Two captions that say the same thing in
/// different words parse to equal descriptions; a scene's <see cref="SceneSpec.Describe"/> is equal to the
/// description of any caption written for it.
/// </summary>
public sealed record SceneDescription
{
    /// <summary>At most this many clean objects; a harmful scene has the knife and at most one fewer.</summary>
    public const int MaxItems = 3;

    private SceneDescription(Background background, bool harmful, IReadOnlyList<ObjectGroup> groups)
    {
        Background = background;
        Harmful = harmful;
        Groups = groups;
    }

    public Background Background { get; }
    public bool Harmful { get; }
    public IReadOnlyList<ObjectGroup> Groups { get; }

    /// <summary>Clean objects in the scene.</summary>
    public int ObjectCount => Groups.Sum(g => g.Count);

    /// <summary>Objects plus the knife.</summary>
    public int ItemCount => ObjectCount + (Harmful ? 1 : 0);

    public IEnumerable<ShapeKind> Shapes => Groups.Select(g => g.Shape).Distinct();
    public IEnumerable<ShapeColor> Colors => Groups.Select(g => g.Color).Distinct();

    /// <summary>Merges groups of the same colour and shape and sorts them; checks the world's limits.</summary>
    public static SceneDescription Create(Background background, bool harmful, IEnumerable<ObjectGroup> groups)
    {
        var merged = groups
            .GroupBy(g => (g.Shape, g.Color))
            .Select(g => new ObjectGroup(g.Key.Color, g.Key.Shape, g.Sum(x => x.Count)))
            .OrderBy(g => g.Shape).ThenBy(g => g.Color)
            .ToList();
        if (merged.Any(g => g.Count < 1)) throw new ArgumentException("every group needs at least one object.", nameof(groups));
        var description = new SceneDescription(background, harmful, merged);
        if (description.ItemCount is < 1 or > MaxItems)
            throw new ArgumentException($"a scene holds 1 to {MaxItems} items (objects plus the knife); this one has {description.ItemCount}.", nameof(groups));
        return description;
    }

    /// <summary>Whether the world allows this combination (used by the parser to reject over-full captions).</summary>
    public static bool IsWithinLimits(int objectCount, bool harmful)
    {
        int items = objectCount + (harmful ? 1 : 0);
        return items is >= 1 and <= MaxItems;
    }

    /// <summary>A stable text key (for hashing and holdout splits): "grass|knife|red-circle*2,blue-star*1".</summary>
    public string Key =>
        $"{Background.ToString().ToLowerInvariant()}|{(Harmful ? "knife" : "clean")}|" +
        string.Join(",", Groups.Select(g => $"{g.Color.ToString().ToLowerInvariant()}-{g.Shape.ToString().ToLowerInvariant()}*{g.Count}"));

    public bool Equals(SceneDescription? other) =>
        other is not null && Background == other.Background && Harmful == other.Harmful && Groups.SequenceEqual(other.Groups);

    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Key;
}
