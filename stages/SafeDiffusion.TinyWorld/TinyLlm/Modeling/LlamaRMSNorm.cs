using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm.Modeling;

/// <summary>
/// transformers' <c>LlamaRMSNorm</c>: <c>weight * x / sqrt(mean(x^2) + eps)</c> over the last dimension, which
/// is also what llama.cpp's <c>ggml_rms_norm</c> followed by the norm weight computes.
/// </summary>
public sealed class LlamaRMSNorm : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private readonly Parameter _weight;
    private readonly double _epsilon;

    public LlamaRMSNorm(long size, double epsilon, Device? device = null) : base(nameof(LlamaRMSNorm))
    {
        _epsilon = epsilon;
        _weight = new Parameter(torch.ones([size], ScalarType.Float32, device));
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = torch.NewDisposeScope();
        var variance = hidden.pow(2).mean([-1], keepdim: true);
        return (_weight * (hidden * torch.rsqrt(variance + _epsilon))).MoveToOuterDisposeScope();
    }
}
