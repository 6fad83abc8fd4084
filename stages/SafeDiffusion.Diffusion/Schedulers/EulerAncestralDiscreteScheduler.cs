using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// Ancestral Euler sampling ("Euler a"; diffusers <c>EulerAncestralDiscreteScheduler</c>): an Euler step down to
/// sigma_down, then fresh noise of size sigma_up, drawn every step (the last draws too, scaled by 0), in the
/// model output's shape.
/// </summary>
public sealed class EulerAncestralDiscreteScheduler : KarrasSigmaScheduler
{
    public EulerAncestralDiscreteScheduler(SchedulerConfig config) : base("euler_a", config, useKarrasSigmas: false)
    {
        if (PredictionType == PredictionType.Sample)
            throw Invalid("prediction_type", "is 'sample'; Euler ancestral supports epsilon and v_prediction.");
    }

    protected override Tensor StepCore(Tensor modelOutput, double timestep, Tensor sample, NoiseGenerator? generator)
    {
        EnsureStepIndex(timestep);
        double sigmaFrom = Sigmas![StepIndex];
        double sigmaTo = Sigmas[StepIndex + 1];
        var predOriginal = PredictOriginal(modelOutput, sample, sigmaFrom);
        double sigmaUp = Math.Sqrt(sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo) / (sigmaFrom * sigmaFrom));
        double sigmaDown = Math.Sqrt(Math.Max(0, sigmaTo * sigmaTo - sigmaUp * sigmaUp));
        var derivative = (sample - predOriginal) / sigmaFrom;
        var prev = sample + derivative * (sigmaDown - sigmaFrom);
        var noise = NoiseGenerator.Randn(generator, modelOutput.shape, modelOutput.dtype, modelOutput.device);
        prev = prev + noise * sigmaUp;
        AdvanceStep();
        return prev;
    }
}
