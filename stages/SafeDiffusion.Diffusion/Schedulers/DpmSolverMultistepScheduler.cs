using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// DPM-Solver / DPM-Solver++ multistep (Lu et al. 2022; diffusers <c>DPMSolverMultistepScheduler</c>). The default
/// configuration, dpmsolver++ of order 2 with midpoint updates and a first-order final step for short runs, is the
/// popular "DPM++ 2M" sampler. Deterministic (the SDE variants are not supported).
/// </summary>
public sealed class DpmSolverMultistepScheduler : DiffusionScheduler
{
    private readonly int _solverOrder;
    private readonly bool _plusPlus;
    private readonly bool _midpoint;
    private readonly bool _lowerOrderFinal;
    private readonly bool _useKarrasSigmas;
    private readonly double _lambdaMinClipped;
    private readonly double[] _alphaT;
    private readonly double[] _sigmaT;
    private readonly double[] _lambdaT;
    private readonly double[] _trainSigmas;
    private readonly Tensor?[] _modelOutputs;
    private int _lowerOrderNums;
    private double[]? _sigmas;

    public DpmSolverMultistepScheduler(SchedulerConfig config) : base(NameFor(config), config, defaultSpacing: "linspace")
    {
        _solverOrder = config.SolverOrder ?? 2;
        if (_solverOrder is < 1 or > 3) throw Invalid("solver_order", $"is {_solverOrder}; use 1, 2 or 3.");
        var algorithm = config.AlgorithmType ?? "dpmsolver++";
        // diffusers maps the DEIS name to dpmsolver++ and the UniPC solver types to midpoint.
        if (algorithm == "deis") algorithm = "dpmsolver++";
        if (algorithm is not ("dpmsolver++" or "dpmsolver"))
            throw Invalid("algorithm_type", $"is '{algorithm}'; supported: dpmsolver++, dpmsolver (the SDE variants are not).");
        _plusPlus = algorithm == "dpmsolver++";
        var solverType = config.SolverType ?? "midpoint";
        if (solverType is "logrho" or "bh1" or "bh2") solverType = "midpoint";
        if (solverType is not ("midpoint" or "heun")) throw Invalid("solver_type", $"is '{solverType}'; use midpoint or heun.");
        _midpoint = solverType == "midpoint";
        _lowerOrderFinal = config.LowerOrderFinal ?? true;
        _useKarrasSigmas = config.UseKarrasSigmas ?? false;
        _lambdaMinClipped = config.LambdaMinClipped ?? double.NegativeInfinity;
        if (config.VarianceType is not null)
            throw Invalid("variance_type", $"is '{config.VarianceType}'; learned variances are not supported.");

        using var scope = NewDisposeScope();
        var ac = Schedule.AlphasCumprod;
        var alpha = ac.sqrt();
        var sigma = (1 - ac).sqrt();
        _alphaT = Doubles(alpha);
        _sigmaT = Doubles(sigma);
        _lambdaT = Doubles(alpha.log() - sigma.log());
        _trainSigmas = Doubles(((1 - ac) / ac).pow(0.5));
        _modelOutputs = new Tensor?[_solverOrder];
    }

    private static string NameFor(SchedulerConfig config)
    {
        bool plusPlus = (config.AlgorithmType ?? "dpmsolver++") is "dpmsolver++" or "deis";
        return $"{(plusPlus ? "dpmpp" : "dpm")}_{config.SolverOrder ?? 2}m";
    }

    private static double[] Doubles(Tensor t) => t.data<float>().Select(v => (double)v).ToArray();

    public override IReadOnlyList<double>? Sigmas => _sigmas;

    protected override void ComputeTimesteps(int n)
    {
        int T = NumTrainTimesteps;
        // searchsorted(flip(lambda_t), lambda_min_clipped): timesteps whose log-SNR is below the clip are not used.
        int clippedIdx = _lambdaT.Reverse().TakeWhile(l => l < _lambdaMinClipped).Count();
        int lastTimestep = T - clippedIdx;
        double[] timesteps = TimestepSpacing switch
        {
            "linspace" => NumpyMath.Round(NumpyMath.Linspace(0, lastTimestep - 1, n + 1)).Reverse().SkipLast(1).ToArray(),
            "leading" => Enumerable.Range(0, n + 1).Reverse().SkipLast(1).Select(i => (double)((long)i * (lastTimestep / (n + 1)) + StepsOffset)).ToArray(),
            _ => NumpyMath.Round(NumpyMath.Arange(lastTimestep, 0, -(double)T / n)).Select(v => v - 1).ToArray(),
        };
        if (_useKarrasSigmas)
        {
            var logSigmas = _trainSigmas.Select(s => (double)MathF.Log((float)s)).ToArray();
            var karras = NumpyMath.KarrasSigmas(_trainSigmas, n);
            timesteps = NumpyMath.Round(karras.Select(s => NumpyMath.SigmaToT(s, logSigmas))).Reverse().ToArray();
            _sigmas = karras;
        }
        else
        {
            _sigmas = _trainSigmas;
        }
        Timesteps = NumpyMath.UniqueInOrder(timesteps);
    }

    protected override Tensor StepCore(Tensor modelOutput, double timestep, Tensor sample, NoiseGenerator? generator)
    {
        int count = Timesteps.Count;
        int index = -1;
        for (int i = 0; i < count; i++)
            if (Timesteps[i] == timestep) { index = i; break; }
        if (index < 0) index = count - 1;
        int t = TimestepIndex(timestep);
        int prevT = index == count - 1 ? 0 : TimestepIndex(Timesteps[index + 1]);
        bool lowerOrderFinal = index == count - 1 && _lowerOrderFinal && count < 15;
        bool lowerOrderSecond = index == count - 2 && _lowerOrderFinal && count < 15;

        var converted = ConvertModelOutput(modelOutput, t, sample);
        Release(_modelOutputs[0]);
        for (int i = 0; i < _solverOrder - 1; i++) _modelOutputs[i] = _modelOutputs[i + 1];
        _modelOutputs[^1] = Hold(converted);

        Tensor prev;
        if (_solverOrder == 1 || _lowerOrderNums < 1 || lowerOrderFinal)
            prev = FirstOrderUpdate(converted, t, prevT, sample);
        else if (_solverOrder == 2 || _lowerOrderNums < 2 || lowerOrderSecond)
            prev = SecondOrderUpdate(TimestepIndex(Timesteps[index - 1]), t, prevT, sample);
        else
            prev = ThirdOrderUpdate(TimestepIndex(Timesteps[index - 2]), TimestepIndex(Timesteps[index - 1]), t, prevT, sample);
        if (_lowerOrderNums < _solverOrder) _lowerOrderNums++;
        return prev;
    }

    /// <summary>DPM-Solver++ works on the predicted clean sample, DPM-Solver on the predicted noise.</summary>
    private Tensor ConvertModelOutput(Tensor modelOutput, int t, Tensor sample)
    {
        double alpha = _alphaT[t], sigma = _sigmaT[t];
        if (_plusPlus)
            return PredictionType switch
            {
                PredictionType.Epsilon => (sample - sigma * modelOutput) / alpha,
                PredictionType.Sample => modelOutput.alias(),
                _ => alpha * sample - sigma * modelOutput,
            };
        return PredictionType switch
        {
            PredictionType.Epsilon => modelOutput.alias(),
            PredictionType.Sample => (sample - alpha * modelOutput) / sigma,
            _ => alpha * modelOutput + sigma * sample,
        };
    }

    private Tensor FirstOrderUpdate(Tensor m, int s, int t, Tensor sample)
    {
        double h = _lambdaT[t] - _lambdaT[s];
        return _plusPlus
            ? _sigmaT[t] / _sigmaT[s] * sample - _alphaT[t] * (Math.Exp(-h) - 1.0) * m
            : _alphaT[t] / _alphaT[s] * sample - _sigmaT[t] * (Math.Exp(h) - 1.0) * m;
    }

    private Tensor SecondOrderUpdate(int s1, int s0, int t, Tensor sample)
    {
        var m0 = _modelOutputs[^1]!;
        var m1 = _modelOutputs[^2]!;
        double h = _lambdaT[t] - _lambdaT[s0], h0 = _lambdaT[s0] - _lambdaT[s1];
        double r0 = h0 / h;
        var d0 = m0;
        var d1 = (1.0 / r0) * (m0 - m1);
        if (_plusPlus)
        {
            double a = _alphaT[t] * (Math.Exp(-h) - 1.0);
            var x = _sigmaT[t] / _sigmaT[s0] * sample - a * d0;
            return _midpoint ? x - 0.5 * a * d1 : x + _alphaT[t] * ((Math.Exp(-h) - 1.0) / h + 1.0) * d1;
        }
        double b = _sigmaT[t] * (Math.Exp(h) - 1.0);
        var y = _alphaT[t] / _alphaT[s0] * sample - b * d0;
        return _midpoint ? y - 0.5 * b * d1 : y - _sigmaT[t] * ((Math.Exp(h) - 1.0) / h - 1.0) * d1;
    }

    private Tensor ThirdOrderUpdate(int s2, int s1, int s0, int t, Tensor sample)
    {
        var m0 = _modelOutputs[^1]!;
        var m1 = _modelOutputs[^2]!;
        var m2 = _modelOutputs[^3]!;
        double h = _lambdaT[t] - _lambdaT[s0], h0 = _lambdaT[s0] - _lambdaT[s1], h1 = _lambdaT[s1] - _lambdaT[s2];
        double r0 = h0 / h, r1 = h1 / h;
        var d10 = (1.0 / r0) * (m0 - m1);
        var d11 = (1.0 / r1) * (m1 - m2);
        var d1 = d10 + r0 / (r0 + r1) * (d10 - d11);
        var d2 = 1.0 / (r0 + r1) * (d10 - d11);
        if (_plusPlus)
            return _sigmaT[t] / _sigmaT[s0] * sample
                   - _alphaT[t] * (Math.Exp(-h) - 1.0) * m0
                   + _alphaT[t] * ((Math.Exp(-h) - 1.0) / h + 1.0) * d1
                   - _alphaT[t] * ((Math.Exp(-h) - 1.0 + h) / (h * h) - 0.5) * d2;
        return _alphaT[t] / _alphaT[s0] * sample
               - _sigmaT[t] * (Math.Exp(h) - 1.0) * m0
               - _sigmaT[t] * ((Math.Exp(h) - 1.0) / h - 1.0) * d1
               - _sigmaT[t] * ((Math.Exp(h) - 1.0 - h) / (h * h) - 0.5) * d2;
    }

    protected override void ClearState()
    {
        base.ClearState();
        Array.Clear(_modelOutputs);
        _lowerOrderNums = 0;
    }
}
