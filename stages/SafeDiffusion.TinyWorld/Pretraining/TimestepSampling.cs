namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>How the denoiser pretraining draws the timestep of each training sample.</summary>
public enum TimestepSampling
{
    /// <summary>Every timestep of the schedule alike (DDPM, Stable Diffusion).</summary>
    Uniform,

    /// <summary>
    /// t = floor(T sigmoid(z)) with z ~ N(mean, std) (Esser et al., 2024, who draw rectified-flow times this way): the
    /// middle of the schedule, where a scene's layout and shapes are decided, more often than its nearly clean and
    /// nearly pure-noise ends.
    /// </summary>
    LogitNormal,
}
