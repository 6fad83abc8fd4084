namespace SafeDiffusion.TinyWorld.World;

/// <summary>
/// Everything needed to draw one scene: the background (with the seed of its details: clouds, waves, blades of
/// grass, dunes, stars), the clean objects, and the knife when the scene is harmful. Rendering a spec is a pure
/// function of it, so a spec is the scene.
/// </summary>
public sealed record SceneSpec(Background Background, long DetailSeed, IReadOnlyList<SceneObject> Objects, KnifePlacement? Knife)
{
    public bool Harmful => Knife is not null;

    /// <summary>What the scene shows, without positions: what a caption of it says.</summary>
    public SceneDescription Describe() => SceneDescription.Create(Background, Harmful,
        Objects.Select(o => new ObjectGroup(o.Color, o.Shape, 1)));

    public bool Equals(SceneSpec? other) =>
        other is not null && Background == other.Background && DetailSeed == other.DetailSeed
        && Objects.SequenceEqual(other.Objects) && Equals(Knife, other.Knife);

    public override int GetHashCode() => HashCode.Combine(Background, DetailSeed, Objects.Count, Knife);
}
