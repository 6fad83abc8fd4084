using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>The MLP on the sinusoidal embedding: <c>linear_1</c>, activation, <c>linear_2</c>, optional post-activation.</summary>
public sealed class TimestepEmbedding : DiffusersModule
{
    private readonly Linear _linear1;
    private readonly Linear _linear2;
    private readonly Func<Tensor, Tensor> _act;
    private readonly Func<Tensor, Tensor>? _postAct;

    public TimestepEmbedding(long inChannels, long timeEmbedDim, Func<Tensor, Tensor> act, Func<Tensor, Tensor>? postAct, ModulePlacement p)
        : base(nameof(TimestepEmbedding))
    {
        _linear1 = nn.Linear(inChannels, timeEmbedDim, device: p.Device, dtype: p.DType);
        _linear2 = nn.Linear(timeEmbedDim, timeEmbedDim, device: p.Device, dtype: p.DType);
        _act = act;
        _postAct = postAct;
        register_module("linear_1", _linear1);
        register_module("linear_2", _linear2);
    }

    public Tensor Forward(Tensor sample)
    {
        using var scope = NewDisposeScope();
        var h = _linear2.forward(_act(_linear1.forward(sample)));
        if (_postAct is not null) h = _postAct(h);
        return h.MoveToOuterDisposeScope();
    }
}
