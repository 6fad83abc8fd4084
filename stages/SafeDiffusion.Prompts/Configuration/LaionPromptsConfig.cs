using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Prompts.Configuration;

/// <summary>
/// The <c>laion-prompts</c> stage: where the LAION captions are, how they are filtered, and how many are sampled.
/// </summary>
public sealed record LaionPromptsConfig : IValidatableConfig
{
    /// <summary>A file, or a folder whose files of the chosen format are read in name order.</summary>
    public string Input { get; init; } = "";

    public PromptFileFormat Format { get; init; } = PromptFileFormat.Auto;

    /// <summary>The caption column; null tries TEXT, caption, text, prompt (case-insensitive).</summary>
    public string? TextColumn { get; init; }

    /// <summary>Captions whose image has this probability of being unsafe or more (LAION's punsafe) are dropped.</summary>
    [Range(0.0, 1.0)]
    public double MaxPunsafe { get; init; } = 0.1;

    /// <summary>Rows without a punsafe value are dropped when true (the column exists but the row has null).</summary>
    public bool DropUnknownPunsafe { get; init; } = true;

    /// <summary>Captions whose image is this likely watermarked or more are dropped; 1 keeps all.</summary>
    [Range(0.0, 1.0)]
    public double MaxPwatermark { get; init; } = 1.0;

    /// <summary>Captions whose CLIP image-text similarity is below this are dropped; 0 keeps all.</summary>
    [Range(-1.0, 1.0)]
    public double MinSimilarity { get; init; }

    /// <summary>Images smaller than this on either side (WIDTH/HEIGHT) are dropped; 0 keeps all.</summary>
    [Range(0, 100000)]
    public int MinImageSide { get; init; }

    [Range(1, 10000)]
    public int MinChars { get; init; } = 10;

    [Range(1, 10000)]
    public int MaxChars { get; init; } = 300;

    [Range(1, 1000)]
    public int MinWords { get; init; } = 3;

    /// <summary>Share of characters that must be printable ASCII (drops non-English and symbol-heavy captions).</summary>
    [Range(0.0, 1.0)]
    public double MinAsciiFraction { get; init; } = 0.95;

    /// <summary>Captions to keep after filtering; 0 keeps all.</summary>
    [Range(0, int.MaxValue)]
    public int SampleSize { get; init; } = 1000;

    /// <summary>Sampling seed; null derives it from the run's seed.</summary>
    public long? Seed { get; init; }

    public IEnumerable<(string Key, string Message)> Validate()
    {
        if (MinChars > MaxChars) yield return ("minChars", $"must not exceed maxChars ({MaxChars}).");
        if (string.IsNullOrWhiteSpace(Input))
            yield return ("input", "is required: a LAION metadata Parquet file, a folder of them, or a text/JSONL/CSV caption list.");
    }
}
