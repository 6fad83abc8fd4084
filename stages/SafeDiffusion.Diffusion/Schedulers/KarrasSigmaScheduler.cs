using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// What the k-diffusion-style Euler samplers share: a grid of float32 timesteps, the noise levels sigma of those
/// timesteps (interpolated from the training sigmas, optionally Karras-spaced) ending in 0, inputs scaled by
/// <c>1 / sqrt(sigma^2 + 1)</c>, and a step index that starts at the first timestep the run is given.
/// </summary>
public abstract class KarrasSigmaScheduler : DiffusionScheduler
{
    private readonly double[] _trainSigmas;
    private double[] _sigmas;
    private int? _stepIndex;

    protected KarrasSigmaScheduler(string name, SchedulerConfig config, bool useKarrasSigmas) : base(name, config, defaultSpacing: "linspace")
    {
        UseKarrasSigmas = useKarrasSigmas;
        using var scope = NewDisposeScope();
        var ac = Schedule.AlphasCumprod;
        _trainSigmas = ((1 - ac) / ac).pow(0.5).data<float>().Select(v => (double)v).ToArray();
        _sigmas = [.. _trainSigmas.Reverse(), 0.0];
    }

    public bool UseKarrasSigmas { get; }

    public override IReadOnlyList<double>? Sigmas => _sigmas;

    /// <summary>diffusers: the largest sigma for linspace/trailing grids, sqrt(max^2 + 1) for leading.</summary>
    public override double InitNoiseSigma
    {
        get
        {
            double max = _sigmas.Max();
            return TimestepSpacing is "linspace" or "trailing" ? max : (float)Math.Sqrt(max * max + 1);
        }
    }

    /// <summary>The run's current position in <see cref="Sigmas"/>.</summary>
    protected int StepIndex => _stepIndex ?? throw new InvalidOperationException("No step has started.");

    protected override void ComputeTimesteps(int n)
    {
        int T = NumTrainTimesteps;
        // numpy builds these in float64 and stores them as float32.
        double[] timesteps = TimestepSpacing switch
        {
            "linspace" => NumpyMath.Linspace(0, T - 1, n).Reverse().Select(v => (double)(float)v).ToArray(),
            "leading" => Enumerable.Range(0, n).Reverse().Select(i => (double)(float)((long)i * (T / n)) + StepsOffset).ToArray(),
            _ => NumpyMath.Round(NumpyMath.Arange(T, 0, -(double)T / n)).Select(v => (double)(float)v - 1).ToArray(),
        };
        var sigmas = timesteps.Select(t => NumpyMath.Interp(t, _trainSigmas)).ToArray();
        if (UseKarrasSigmas)
        {
            var logSigmas = _trainSigmas.Select(s => (double)MathF.Log((float)s)).ToArray();
            sigmas = NumpyMath.KarrasSigmas(sigmas, n);
            timesteps = sigmas.Select(s => NumpyMath.SigmaToT(s, logSigmas)).ToArray();
        }
        _sigmas = [.. sigmas.Select(s => (double)(float)s), 0.0];
        Timesteps = timesteps;
    }

    public override Tensor ScaleModelInput(Tensor sample, double timestep)
    {
        EnsureStepIndex(timestep);
        double sigma = _sigmas[StepIndex];
        return sample / Math.Sqrt(sigma * sigma + 1);
    }

    /// <summary>Finds where a run starts: the timestep's position (its second occurrence if it repeats), as diffusers.</summary>
    protected void EnsureStepIndex(double timestep)
    {
        if (_stepIndex is not null) return;
        var matches = Timesteps.Select((t, i) => (t, i)).Where(p => p.t == timestep).Select(p => p.i).ToList();
        if (matches.Count == 0)
            throw new ArgumentException($"{timestep} is not one of this run's timesteps.", nameof(timestep));
        _stepIndex = matches.Count > 1 ? matches[1] : matches[0];
    }

    protected void AdvanceStep() => _stepIndex = StepIndex + 1;

    /// <summary>The clean-sample estimate from the model output at noise level <paramref name="sigma"/>.</summary>
    protected Tensor PredictOriginal(Tensor modelOutput, Tensor sample, double sigma) => PredictionType switch
    {
        PredictionType.Epsilon => sample - sigma * modelOutput,
        PredictionType.VPrediction => modelOutput * (-sigma / Math.Sqrt(sigma * sigma + 1)) + sample / (sigma * sigma + 1),
        _ => modelOutput.alias(),
    };

    protected override void ClearState()
    {
        base.ClearState();
        _stepIndex = null;
    }
}
