using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Optimization;

/// <summary>
/// AdamW with decoupled weight decay, computed as torch.optim.AdamW's single-tensor path computes it (decay, then
/// moments, then the bias-corrected update), over named parameters. Written out rather than taken from TorchSharp so
/// its state (step count and both moments per parameter) can be saved with the training state and restored bit for
/// bit on resume. The learning rate is passed to each <see cref="Step"/>, so any schedule can drive it.
/// </summary>
public sealed class AdamW : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> _moments = new(StringComparer.Ordinal);

    public AdamW(IEnumerable<(string Name, Parameter Parameter)> parameters, AdamWSettings settings)
    {
        _parameters = parameters.ToList();
        Settings = settings;
        var duplicate = _parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"parameter '{duplicate.Key}' is listed twice.", nameof(parameters));
    }

    public AdamWSettings Settings { get; }

    /// <summary>Optimizer steps taken (torch's per-parameter <c>step</c>; all parameters step together here).</summary>
    public long StepCount { get; private set; }

    public IReadOnlyList<(string Name, Parameter Parameter)> Parameters => _parameters;

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/> to every parameter that has a gradient.</summary>
    public void Step(double learningRate)
    {
        StepCount++;
        double beta1 = Settings.Beta1, beta2 = Settings.Beta2;
        double biasCorrection1 = 1 - Math.Pow(beta1, StepCount);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, StepCount));
        double stepSize = learningRate / biasCorrection1;
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in _parameters)
        {
            using var scope = NewDisposeScope();
            var grad = parameter.grad;
            if (grad is null) continue;
            var (expAvg, expAvgSq) = MomentsOf(name, parameter);
            parameter.mul_(1 - learningRate * Settings.WeightDecay);
            expAvg.lerp_(grad, 1 - beta1);
            expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
            var denom = (expAvgSq.sqrt() / biasCorrection2Sqrt).add_(Settings.Epsilon);
            parameter.addcdiv_(expAvg, denom, -stepSize);
        }
    }

    /// <summary>The moments as named tensors (<c>exp_avg.NAME</c>, <c>exp_avg_sq.NAME</c>), still owned by the optimizer.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors()
    {
        foreach (var (name, (m, v)) in _moments.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            yield return new(ExpAvgKey(name), m);
            yield return new(ExpAvgSqKey(name), v);
        }
    }

    /// <summary>Restores a saved state: the step count and the moments found in <paramref name="tensors"/> (copied).</summary>
    /// <exception cref="ArgumentException">When a parameter's moments are partly present or shaped differently.</exception>
    public void LoadState(long stepCount, IReadOnlyDictionary<string, Tensor> tensors)
    {
        ClearMoments();
        StepCount = stepCount;
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in _parameters)
        {
            bool hasM = tensors.TryGetValue(ExpAvgKey(name), out var m);
            bool hasV = tensors.TryGetValue(ExpAvgSqKey(name), out var v);
            if (!hasM && !hasV) continue;
            if (!hasM || !hasV) throw new ArgumentException($"the saved state has only one of the two moments of '{name}'.", nameof(tensors));
            if (!m!.shape.SequenceEqual(parameter.shape) || !v!.shape.SequenceEqual(parameter.shape))
                throw new ArgumentException($"the saved moments of '{name}' do not match its shape [{string.Join(", ", parameter.shape)}].", nameof(tensors));
            _moments[name] = (
                m.to(ScalarType.Float32, parameter.device).clone().DetachFromDisposeScope(),
                v.to(ScalarType.Float32, parameter.device).clone().DetachFromDisposeScope());
        }
    }

    internal static string ExpAvgKey(string name) => "exp_avg." + name;

    internal static string ExpAvgSqKey(string name) => "exp_avg_sq." + name;

    private (Tensor ExpAvg, Tensor ExpAvgSq) MomentsOf(string name, Parameter parameter)
    {
        if (_moments.TryGetValue(name, out var moments)) return moments;
        // Moments live outside every dispose scope for the optimizer's lifetime.
        moments = (
            zeros_like(parameter, dtype: ScalarType.Float32).DetachFromDisposeScope(),
            zeros_like(parameter, dtype: ScalarType.Float32).DetachFromDisposeScope());
        _moments[name] = moments;
        return moments;
    }

    private void ClearMoments()
    {
        foreach (var (m, v) in _moments.Values)
        {
            m.Dispose();
            v.Dispose();
        }
        _moments.Clear();
    }

    public void Dispose() => ClearMoments();
}
