using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// Denoising diffusion implicit models (Song et al. 2021; diffusers <c>DDIMScheduler</c>): deterministic for
/// eta = 0 (the default), with optional clipping of the predicted clean sample.
/// </summary>
public sealed class DdimScheduler : DiffusionScheduler
{
    private readonly double _finalAlphaCumprod;
    private readonly bool _clipSample;
    private readonly double _clipSampleRange;
    private readonly double _eta;

    public DdimScheduler(SchedulerConfig config)
        : base("ddim", config, defaultSpacing: "leading", rescaleZeroTerminalSnr: config.RescaleBetasZeroSnr ?? false)
    {
        _finalAlphaCumprod = config.SetAlphaToOne ?? true ? 1.0 : AlphaBar(0);
        _clipSample = config.ClipSample ?? true;
        _clipSampleRange = config.ClipSampleRange ?? 1.0;
        _eta = config.Eta ?? 0.0;
        if (_eta < 0) throw Invalid("eta", "must not be negative.");
    }

    protected override void ComputeTimesteps(int n) =>
        Timesteps = DiscreteTimesteps.Descending(TimestepSpacing, NumTrainTimesteps, n, StepsOffset);

    protected override Tensor StepCore(Tensor modelOutput, double timestep, Tensor sample, NoiseGenerator? generator)
    {
        int t = TimestepIndex(timestep);
        int prevT = t - NumTrainTimesteps / NumInferenceSteps;
        double alphaT = AlphaBar(t);
        double alphaPrev = prevT >= 0 ? AlphaBar(prevT) : _finalAlphaCumprod;
        double betaT = 1 - alphaT;

        Tensor predOriginal, predEpsilon;
        switch (PredictionType)
        {
            case PredictionType.Epsilon:
                predOriginal = (sample - Math.Sqrt(betaT) * modelOutput) / Math.Sqrt(alphaT);
                predEpsilon = modelOutput;
                break;
            case PredictionType.Sample:
                predOriginal = modelOutput;
                predEpsilon = (sample - Math.Sqrt(alphaT) * predOriginal) / Math.Sqrt(betaT);
                break;
            default:
                predOriginal = Math.Sqrt(alphaT) * sample - Math.Sqrt(betaT) * modelOutput;
                predEpsilon = Math.Sqrt(alphaT) * modelOutput + Math.Sqrt(betaT) * sample;
                break;
        }
        if (_clipSample) predOriginal = predOriginal.clamp(-_clipSampleRange, _clipSampleRange);

        double betaPrev = 1 - alphaPrev;
        double variance = betaPrev / betaT * (1 - alphaT / alphaPrev);
        double stdDev = _eta * Math.Sqrt(variance);
        var direction = Math.Sqrt(1 - alphaPrev - stdDev * stdDev) * predEpsilon;
        var prev = Math.Sqrt(alphaPrev) * predOriginal + direction;
        if (_eta > 0)
            prev = prev + stdDev * NoiseGenerator.Randn(generator, modelOutput.shape, modelOutput.dtype, modelOutput.device);
        return prev;
    }
}
