namespace SafeDiffusion.Prompts.Configuration;

/// <summary>How a caption or prompt list is stored. <c>auto</c> goes by the file extension.</summary>
public enum PromptFileFormat
{
    Auto,
    /// <summary>A Parquet table (LAION metadata parts, DiffusionDB metadata).</summary>
    Parquet,
    /// <summary>One prompt per line; blank lines and lines starting with # are skipped.</summary>
    Text,
    /// <summary>One JSON object per line with "prompt" or "text" (and optionally "category", "seed").</summary>
    Jsonl,
    /// <summary>A CSV file with a header row naming a prompt/text/caption column.</summary>
    Csv,
}
