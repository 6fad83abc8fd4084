using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>
/// transformers' <c>CLIPAttention</c>: q/k/v/out projections with biases, heads of hidden/heads, scale
/// head_dim^-0.5, computed by <c>scaled_dot_product_attention</c>.
/// </summary>
public sealed class CLIPAttention : nn.Module
{
    [ComponentName(Name = "q_proj")]
    private readonly Linear _q;
    [ComponentName(Name = "k_proj")]
    private readonly Linear _k;
    [ComponentName(Name = "v_proj")]
    private readonly Linear _v;
    [ComponentName(Name = "out_proj")]
    private readonly Linear _out;
    private readonly int _heads;
    private readonly int _headDim;

    public CLIPAttention(ICLIPEncoderConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPAttention))
    {
        int hidden = config.HiddenSize;
        _heads = config.NumAttentionHeads;
        _headDim = hidden / _heads;
        _k = nn.Linear(hidden, hidden, hasBias: true, device, dtype);
        _v = nn.Linear(hidden, hidden, hasBias: true, device, dtype);
        _q = nn.Linear(hidden, hidden, hasBias: true, device, dtype);
        _out = nn.Linear(hidden, hidden, hasBias: true, device, dtype);
        RegisterComponents();
    }

    /// <param name="hidden">[batch, tokens, hidden].</param>
    /// <param name="mask">Boolean (true = may attend) or additive float mask broadcastable to [batch, heads, tokens, tokens]; null for none.</param>
    /// <param name="causal">Each token attends only to itself and earlier tokens; only used when <paramref name="mask"/> is null.</param>
    public Tensor forward(Tensor hidden, Tensor? mask, bool causal)
    {
        using var scope = torch.NewDisposeScope();
        long batch = hidden.shape[0], tokens = hidden.shape[1];
        Tensor Heads(Tensor x) => x.view(batch, tokens, _heads, _headDim).transpose(1, 2);
        var q = Heads(_q.forward(hidden));
        var k = Heads(_k.forward(hidden));
        var v = Heads(_v.forward(hidden));
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, causal && mask is null);
        var merged = attended.transpose(1, 2).reshape(batch, tokens, _heads * _headDim);
        return _out.forward(merged).MoveToOuterDisposeScope();
    }
}
