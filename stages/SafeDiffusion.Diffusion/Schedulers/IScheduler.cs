using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// A diffusion sampler with diffusers 0.21 semantics. It is stateful across one sampling run (multistep history,
/// step index): call <see cref="SetTimesteps"/> before each run, and use one instance per concurrent run.
/// </summary>
public interface IScheduler : IDisposable
{
    /// <summary>The factory name: pndm, ddim, ddpm, euler, euler_a, dpmpp_2m (or dpm_multistep for other DPM configs).</summary>
    string Name { get; }

    SchedulerConfig Config { get; }
    PredictionType PredictionType { get; }
    int NumTrainTimesteps { get; }

    /// <summary>Betas and cumulative alphas of the training process this sampler inverts.</summary>
    NoiseSchedule Schedule { get; }

    /// <summary>[T] float32 on the CPU, owned by the scheduler.</summary>
    Tensor AlphasCumprod { get; }

    /// <summary>The timesteps of the current run, in the order to visit them (empty before <see cref="SetTimesteps"/>).
    /// Integers for most samplers; Euler-type grids can be fractional.</summary>
    IReadOnlyList<double> Timesteps { get; }

    /// <summary>diffusers' <c>scheduler.sigmas</c> where the scheduler has them (Euler, Euler a, DPM-Solver), else null.</summary>
    IReadOnlyList<double>? Sigmas { get; }

    /// <summary>Standard deviation of the initial noise: initial latents are <c>randn * InitNoiseSigma</c>.</summary>
    double InitNoiseSigma { get; }

    /// <summary>Prepares a run of <paramref name="numInferenceSteps"/> steps and clears the run state.</summary>
    void SetTimesteps(int numInferenceSteps);

    /// <summary>The UNet input for <paramref name="sample"/> at <paramref name="timestep"/> (a new tensor).</summary>
    Tensor ScaleModelInput(Tensor sample, double timestep);

    /// <summary>One reverse step from <paramref name="timestep"/>: the previous (less noisy) sample, a new tensor.</summary>
    /// <param name="generator">Noise for stochastic samplers (ddpm, euler_a, ddim with eta &gt; 0); null uses the global generator.</param>
    Tensor Step(Tensor modelOutput, double timestep, Tensor sample, NoiseGenerator? generator = null);

    /// <summary>The variance-preserving forward process q(x_t | x_0) used in training (diffusers <c>DDPMScheduler.add_noise</c>).</summary>
    Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps);

    /// <summary>The v-prediction training target.</summary>
    Tensor GetVelocity(Tensor sample, Tensor noise, Tensor timesteps);
}
