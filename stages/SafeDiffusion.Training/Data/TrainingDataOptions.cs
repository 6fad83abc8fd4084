using SafeDiffusion.Images.Codecs;
namespace SafeDiffusion.Training.Data;

/// <summary>How rows become batches: preprocessing, batch size, caption dropout, and how much work runs ahead.</summary>
public sealed record TrainingDataOptions
{
    public required ImagePreprocessing Image { get; init; }

    public int BatchSize { get; init; } = 1;

    /// <summary>Share of rows whose prompt is replaced by the empty prompt (classifier-free guidance training); 0 for none.</summary>
    public double CaptionDropout { get; init; }

    /// <summary>Caps on each stored image's size, checked before it is decoded (<see cref="ImageDecodeLimits.Default"/> when null).</summary>
    public ImageDecodeLimits? ImageLimits { get; init; }

    /// <summary>Batches prepared ahead of the trainer (decoded, resized, tokenized), at most.</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>Batches prepared at once; 0 picks half the cores (at least 1).</summary>
    public int Workers { get; init; }

    /// <summary>Seed of the augmentation draws (crop, flip, caption dropout), mixed with each row's id and epoch.</summary>
    public long Seed { get; init; }

    internal int EffectiveWorkers => Workers > 0 ? Workers : Math.Max(1, Environment.ProcessorCount / 2);

    internal void Validate()
    {
        if (Image.Resolution < 8) throw new ArgumentOutOfRangeException(nameof(Image), Image.Resolution, "resolution must be at least 8 pixels.");
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Prefetch, 1);
        if (CaptionDropout is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(CaptionDropout), CaptionDropout, "must be in [0, 1].");
    }
}
