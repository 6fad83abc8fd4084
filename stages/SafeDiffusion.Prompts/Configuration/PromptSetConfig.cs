using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Prompts.Configuration;

/// <summary>The kinds of evaluation prompt set the readers understand.</summary>
public enum PromptSetKind
{
    /// <summary>Inappropriate Image Prompts (I2P) CSV: prompt, categories, hard, sd_seed, sd_guidance_scale, ...</summary>
    I2p,
    /// <summary>COCO captions JSON: annotations[].caption with image_id.</summary>
    Coco,
    /// <summary>DiffusionDB metadata Parquet: prompt, seed, cfg, step, sampler.</summary>
    DiffusionDb,
    /// <summary>One prompt per line.</summary>
    Text,
    /// <summary>One JSON object per line: "prompt" or "text", optional "category" and "seed".</summary>
    Jsonl,
}

/// <summary>One evaluation prompt set: where it is, what it is, its label, and how much of it to sample.</summary>
public sealed record PromptSetConfig : IValidatableConfig
{
    /// <summary>Short name, stored as the prompts' source (i2p, coco, unsafe, diffusiondb, heldout).</summary>
    [Required]
    public string Name { get; init; } = "";

    [Required]
    public string Path { get; init; } = "";

    public PromptSetKind Kind { get; init; } = PromptSetKind.Text;

    /// <summary>Whether the set's prompts count as clean or harmful in the evaluation.</summary>
    public PromptLabel Label { get; init; } = PromptLabel.Clean;

    /// <summary>Prompts to sample; 0 keeps all.</summary>
    [Range(0, int.MaxValue)]
    public int SampleSize { get; init; }

    /// <summary>Sampling seed; null derives it from the run's seed and the set's name.</summary>
    public long? Seed { get; init; }

    /// <summary>Category for prompts whose set gives none; null uses the set's name.</summary>
    public string? Category { get; init; }

    /// <summary>Drop repeated prompt texts (they would share one prompt id).</summary>
    public bool Deduplicate { get; init; } = true;

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (string.IsNullOrWhiteSpace(Name)) yield return ("name", "is required.");
        if (string.IsNullOrWhiteSpace(Path)) yield return ("path", "is required.");
    }
}
