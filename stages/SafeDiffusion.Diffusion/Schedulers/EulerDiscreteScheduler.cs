using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// Euler's method on the probability-flow ODE in sigma space (Karras et al. 2022, Algorithm 2 without churn;
/// diffusers <c>EulerDiscreteScheduler</c> with s_churn = 0, as the Stable Diffusion pipeline calls it). Deterministic.
/// </summary>
public sealed class EulerDiscreteScheduler : KarrasSigmaScheduler
{
    public EulerDiscreteScheduler(SchedulerConfig config) : base("euler", config, config.UseKarrasSigmas ?? false)
    {
        if ((config.InterpolationType ?? "linear") != "linear")
            throw Invalid("interpolation_type", $"is '{config.InterpolationType}'; only 'linear' is supported.");
    }

    protected override Tensor StepCore(Tensor modelOutput, double timestep, Tensor sample, NoiseGenerator? generator)
    {
        EnsureStepIndex(timestep);
        double sigma = Sigmas![StepIndex];
        var predOriginal = PredictOriginal(modelOutput, sample, sigma);
        var derivative = (sample - predOriginal) / sigma;
        double dt = Sigmas[StepIndex + 1] - sigma;
        var prev = sample + derivative * dt;
        AdvanceStep();
        return prev;
    }
}
