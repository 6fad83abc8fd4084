namespace SafeDiffusion.Prompts.Sets;

/// <summary>
/// One prompt as a set's file gives it: the text and whatever generation settings and annotations the set
/// carries (I2P's seed, guidance, size and scores; DiffusionDB's seed, cfg, steps and sampler; COCO's image id).
/// </summary>
public sealed record PromptSetEntry(string Text)
{
    public string? Category { get; init; }
    public long? Seed { get; init; }
    public double? Guidance { get; init; }
    public int? Steps { get; init; }
    public string? Sampler { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }

    /// <summary>Other values of the row, by column name (I2P: hard, inappropriate_percentage, ...; COCO: image_id).</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();
}
