using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>transformers' <c>CLIPEncoderLayer</c>: pre-norm self-attention and MLP, each with a residual.</summary>
public sealed class CLIPEncoderLayer : nn.Module
{
    [ComponentName(Name = "self_attn")]
    private readonly CLIPAttention _selfAttn;
    [ComponentName(Name = "layer_norm1")]
    private readonly LayerNorm _layerNorm1;
    [ComponentName(Name = "mlp")]
    private readonly CLIPMLP _mlp;
    [ComponentName(Name = "layer_norm2")]
    private readonly LayerNorm _layerNorm2;

    public CLIPEncoderLayer(ICLIPEncoderConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPEncoderLayer))
    {
        _selfAttn = new CLIPAttention(config, device, dtype);
        _layerNorm1 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        _mlp = new CLIPMLP(config, device, dtype);
        _layerNorm2 = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }

    public Tensor forward(Tensor hidden, Tensor? mask, bool causal)
    {
        using var scope = torch.NewDisposeScope();
        var h = hidden + _selfAttn.forward(_layerNorm1.forward(hidden), mask, causal);
        h = h + _mlp.forward(_layerNorm2.forward(h));
        return h.MoveToOuterDisposeScope();
    }
}
