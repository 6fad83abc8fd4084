using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// Denoising diffusion probabilistic models (Ho et al. 2020; diffusers <c>DDPMScheduler</c>): ancestral sampling
/// with fixed variances. Fresh noise is drawn every step except the last, in the shape of the model output.
/// </summary>
public sealed class DdpmScheduler : DiffusionScheduler
{
    private static readonly string[] VarianceTypes = ["fixed_small", "fixed_small_log", "fixed_large"];
    private readonly string _varianceType;
    private readonly bool _clipSample;
    private readonly double _clipSampleRange;

    public DdpmScheduler(SchedulerConfig config) : base("ddpm", config, defaultSpacing: "leading", allowSigmoid: true)
    {
        _varianceType = config.VarianceType ?? "fixed_small";
        if (!VarianceTypes.Contains(_varianceType))
            throw Invalid("variance_type", $"is '{_varianceType}'; supported: {string.Join(", ", VarianceTypes)} (learned variances need a UNet that predicts them; diffusers' fixed_large_log yields NaN).");
        _clipSample = config.ClipSample ?? true;
        _clipSampleRange = config.ClipSampleRange ?? 1.0;
    }

    protected override void ComputeTimesteps(int n) =>
        Timesteps = DiscreteTimesteps.Descending(TimestepSpacing, NumTrainTimesteps, n, StepsOffset);

    protected override Tensor StepCore(Tensor modelOutput, double timestep, Tensor sample, NoiseGenerator? generator)
    {
        int t = TimestepIndex(timestep);
        int prevT = t - NumTrainTimesteps / NumInferenceSteps;
        double alphaT = AlphaBar(t);
        double alphaPrev = prevT >= 0 ? AlphaBar(prevT) : 1.0;
        double betaT = 1 - alphaT, betaPrev = 1 - alphaPrev;
        double currentAlpha = alphaT / alphaPrev;
        double currentBeta = 1 - currentAlpha;

        var predOriginal = PredictionType switch
        {
            PredictionType.Epsilon => (sample - Math.Sqrt(betaT) * modelOutput) / Math.Sqrt(alphaT),
            PredictionType.Sample => modelOutput,
            _ => Math.Sqrt(alphaT) * sample - Math.Sqrt(betaT) * modelOutput,
        };
        if (_clipSample) predOriginal = predOriginal.clamp(-_clipSampleRange, _clipSampleRange);

        double originalCoeff = Math.Sqrt(alphaPrev) * currentBeta / betaT;
        double sampleCoeff = Math.Sqrt(currentAlpha) * betaPrev / betaT;
        var prev = originalCoeff * predOriginal + sampleCoeff * sample;

        if (t > 0)
        {
            var noise = NoiseGenerator.Randn(generator, modelOutput.shape, modelOutput.dtype, modelOutput.device);
            double variance = Math.Max(betaPrev / betaT * currentBeta, 1e-20);
            double scale = _varianceType switch
            {
                // diffusers' fixed_small_log returns the standard deviation itself (exp(0.5 * log var)).
                "fixed_small_log" => Math.Sqrt(variance),
                "fixed_large" => Math.Sqrt(currentBeta),
                _ => Math.Sqrt(variance),
            };
            prev = prev + scale * noise;
        }
        return prev;
    }
}
