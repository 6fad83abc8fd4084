using SafeDiffusion.Core.Errors;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// Pseudo numerical methods for diffusion models (Liu et al. 2022; diffusers <c>PNDMScheduler</c>): Runge-Kutta
/// warm-up steps (skipped with <c>skip_prk_steps</c>, as Stable Diffusion does) followed by a linear multistep
/// method over the last four model outputs. The SD default sampler.
/// </summary>
public sealed class PndmScheduler : DiffusionScheduler
{
    private const int PndmOrder = 4;
    private readonly bool _skipPrkSteps;
    private readonly double _finalAlphaCumprod;
    private long[] _prkTimesteps = [];
    private readonly List<Tensor> _ets = [];
    private int _counter;
    private Tensor? _curSample;
    private Tensor? _curModelOutput;

    public PndmScheduler(SchedulerConfig config) : base("pndm", config, defaultSpacing: "leading")
    {
        if (PredictionType == PredictionType.Sample)
            throw Invalid("prediction_type", "is 'sample'; PNDM supports epsilon and v_prediction.");
        _skipPrkSteps = config.SkipPrkSteps ?? false;
        _finalAlphaCumprod = config.SetAlphaToOne ?? false ? 1.0 : AlphaBar(0);
    }

    protected override void ComputeTimesteps(int n)
    {
        int T = NumTrainTimesteps;
        long[] ascending = TimestepSpacing switch
        {
            "linspace" => NumpyMath.Round(NumpyMath.Linspace(0, T - 1, n)).Select(v => (long)v).ToArray(),
            "leading" => Enumerable.Range(0, n).Select(i => (long)i * (T / n) + StepsOffset).ToArray(),
            _ => NumpyMath.Round(NumpyMath.Arange(T, 0, -(double)T / n)).Reverse().Select(v => (long)v - 1).ToArray(),
        };
        long[] plms;
        if (_skipPrkSteps)
        {
            _prkTimesteps = [];
            // t[:-1] + t[-2:-1] + t[-1:] with Python's slices, which are empty rather than out of range for one step.
            plms = ascending.Length >= 2 ? [.. ascending[..^1], ascending[^2], ascending[^1]] : [.. ascending];
            Array.Reverse(plms);
        }
        else
        {
            // np.array(t[-4:]).repeat(2) + np.tile([0, T // n // 2], 4), then [:-1].repeat(2)[1:-1] reversed.
            // diffusers fails here with a numpy broadcast error: the warm-up takes the last four steps.
            if (n < PndmOrder)
                throw new UsageException($"PNDM with Runge-Kutta warm-up steps (skip_prk_steps false) needs at least {PndmOrder} inference steps, got {n}. Use {PndmOrder} or more steps, or set skip_prk_steps to true in the scheduler config.");
            var lastFour = ascending[^PndmOrder..];
            long half = T / n / 2;
            var prk = lastFour.SelectMany(t => new[] { t, t }).Select((t, i) => t + (i % 2 == 0 ? 0 : half)).ToArray();
            var repeated = prk[..^1].SelectMany(t => new[] { t, t }).ToArray();
            _prkTimesteps = repeated[1..^1].Reverse().ToArray();
            plms = ascending[..^3].Reverse().ToArray();
        }
        Timesteps = _prkTimesteps.Concat(plms).Select(t => (double)t).ToArray();
    }

    protected override Tensor StepCore(Tensor modelOutput, double timestep, Tensor sample, NoiseGenerator? generator) =>
        _counter < _prkTimesteps.Length && !_skipPrkSteps
            ? StepPrk(modelOutput, TimestepIndex(timestep), sample)
            : StepPlms(modelOutput, TimestepIndex(timestep), sample);

    private Tensor StepPrk(Tensor modelOutput, int timestep, Tensor sample)
    {
        int T = NumTrainTimesteps, n = NumInferenceSteps;
        int diffToPrev = _counter % 2 == 1 ? 0 : T / n / 2;
        int prevTimestep = timestep - diffToPrev;
        timestep = (int)_prkTimesteps[_counter / 4 * 4];

        switch (_counter % 4)
        {
            case 0:
                Accumulate(modelOutput * (1.0 / 6));
                _ets.Add(Hold(modelOutput));
                Release(_curSample);
                _curSample = Hold(sample);
                break;
            case 1:
            case 2:
                Accumulate(modelOutput * (1.0 / 3));
                break;
            default:
                modelOutput = _curModelOutput! + modelOutput * (1.0 / 6);
                Release(_curModelOutput);
                _curModelOutput = null;
                break;
        }
        var prev = PreviousSample(_curSample ?? sample, timestep, prevTimestep, modelOutput);
        _counter++;
        return prev;
    }

    private void Accumulate(Tensor term)
    {
        var sum = _curModelOutput is null ? term : _curModelOutput + term;
        Release(_curModelOutput);
        _curModelOutput = Hold(sum);
    }

    private Tensor StepPlms(Tensor modelOutput, int timestep, Tensor sample)
    {
        int stride = NumTrainTimesteps / NumInferenceSteps;
        if (!_skipPrkSteps && _ets.Count < 3)
            throw new InvalidOperationException("PNDM's linear multistep steps need the Runge-Kutta warm-up steps first.");
        int prevTimestep = timestep - stride;
        if (_counter != 1)
        {
            while (_ets.Count > 3)
            {
                Release(_ets[0]);
                _ets.RemoveAt(0);
            }
            _ets.Add(Hold(modelOutput));
        }
        else
        {
            prevTimestep = timestep;
            timestep += stride;
        }

        Tensor output;
        if (_ets.Count == 1 && _counter == 0)
        {
            output = modelOutput;
            Release(_curSample);
            _curSample = Hold(sample);
        }
        else if (_ets.Count == 1 && _counter == 1)
        {
            output = (modelOutput + _ets[^1]) / 2;
            sample = _curSample!.alias();
            Release(_curSample);
            _curSample = null;
        }
        else if (_ets.Count == 2)
            output = (3 * _ets[^1] - _ets[^2]) / 2;
        else if (_ets.Count == 3)
            output = (23 * _ets[^1] - 16 * _ets[^2] + 5 * _ets[^3]) / 12;
        else
            output = (1.0 / 24) * (55 * _ets[^1] - 59 * _ets[^2] + 37 * _ets[^3] - 9 * _ets[^4]);

        var prev = PreviousSample(sample, timestep, prevTimestep, output);
        _counter++;
        return prev;
    }

    /// <summary>Formula (9) of the PNDM paper: x_{t-delta} from x_t and the (combined) noise estimate.</summary>
    private Tensor PreviousSample(Tensor sample, int timestep, int prevTimestep, Tensor modelOutput)
    {
        double alphaT = AlphaBar(timestep);
        double alphaPrev = prevTimestep >= 0 ? AlphaBar(prevTimestep) : _finalAlphaCumprod;
        double betaT = 1 - alphaT, betaPrev = 1 - alphaPrev;
        if (PredictionType == PredictionType.VPrediction)
            modelOutput = Math.Sqrt(alphaT) * modelOutput + Math.Sqrt(betaT) * sample;
        double sampleCoeff = Math.Sqrt(alphaPrev / alphaT);
        double denominator = alphaT * Math.Sqrt(betaPrev) + Math.Sqrt(alphaT * betaT * alphaPrev);
        return sampleCoeff * sample - (alphaPrev - alphaT) * modelOutput / denominator;
    }

    protected override void ClearState()
    {
        base.ClearState();
        _ets.Clear();
        _counter = 0;
        _curSample = null;
        _curModelOutput = null;
    }
}
