using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// An exponential moving average of parameters (diffusers' <c>EMAModel</c> with its warm-up: the decay used at
/// step k is <c>min(decay, (1 + k) / (10 + k))</c>), copied into the parameters at the end: averaged weights
/// sample cleaner images than the last step's.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly List<Tensor> _shadow;
    private readonly double _decay;

    public WeightAverage(IReadOnlyList<Parameter> parameters, double decay)
    {
        _parameters = parameters;
        _decay = decay;
        using var noGrad = torch.no_grad();
        _shadow = parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToList();
    }

    public void Update(int step)
    {
        double decay = Math.Min(_decay, (1.0 + step) / (10.0 + step));
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _shadow.Count; i++) _shadow[i].lerp_(_parameters[i], 1 - decay);
    }

    public void CopyInto()
    {
        using var noGrad = torch.no_grad();
        for (int i = 0; i < _shadow.Count; i++) _parameters[i].copy_(_shadow[i]);
    }

    public void Dispose()
    {
        foreach (var t in _shadow) t.Dispose();
    }
}
