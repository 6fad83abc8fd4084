namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>The two layouts <c>torch.save</c> has written.</summary>
public enum PthFormat
{
    /// <summary>PyTorch 1.6 and later: a zip with <c>data.pkl</c> and one entry per storage.</summary>
    Zip,

    /// <summary>Before 1.6 (and <c>_use_new_zipfile_serialization=False</c>): magic, version and system-info pickles,
    /// the state dict pickle, the storage keys, then each storage's element count and bytes.</summary>
    Legacy,
}
