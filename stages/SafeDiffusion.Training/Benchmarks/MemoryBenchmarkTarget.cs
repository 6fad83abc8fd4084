namespace SafeDiffusion.Training.Benchmarks;

/// <summary>What a memory benchmark case runs.</summary>
public enum MemoryBenchmarkTarget
{
    /// <summary>Text-to-image: prompt encoding, the denoising steps with classifier-free guidance, the VAE decode.</summary>
    Txt2Img,

    /// <summary>Two optimizer steps of fine-tuning (the second is the steady state: AdamW's moments exist by then).</summary>
    TrainingStep,
}
