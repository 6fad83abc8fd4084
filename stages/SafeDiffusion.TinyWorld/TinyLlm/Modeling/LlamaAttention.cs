using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm.Modeling;

/// <summary>
/// transformers' <c>LlamaAttention</c>: bias-free q/k/v/o projections, rotary embedding on q and k, grouped-query
/// attention (each key/value head serves <c>heads / kvHeads</c> consecutive query heads, as both transformers'
/// <c>repeat_kv</c> and ggml's broadcasting do), causal softmax attention scaled by <c>head_dim^-0.5</c>.
/// </summary>
public sealed class LlamaAttention : nn.Module
{
    [ComponentName(Name = "q_proj")]
    private readonly Linear _q;
    [ComponentName(Name = "k_proj")]
    private readonly Linear _k;
    [ComponentName(Name = "v_proj")]
    private readonly Linear _v;
    [ComponentName(Name = "o_proj")]
    private readonly Linear _o;
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    public LlamaAttention(int hidden, int heads, int kvHeads, Device? device = null) : base(nameof(LlamaAttention))
    {
        if (hidden % heads != 0 || heads % kvHeads != 0)
            throw new ArgumentException($"{hidden} dimensions, {heads} heads and {kvHeads} key/value heads do not divide evenly.");
        _heads = heads;
        _kvHeads = kvHeads;
        _headDim = hidden / heads;
        _q = nn.Linear(hidden, heads * _headDim, hasBias: false, device: device);
        _k = nn.Linear(hidden, kvHeads * _headDim, hasBias: false, device: device);
        _v = nn.Linear(hidden, kvHeads * _headDim, hasBias: false, device: device);
        _o = nn.Linear(heads * _headDim, hidden, hasBias: false, device: device);
        RegisterComponents();
    }

    /// <param name="hidden">[batch, positions, hidden].</param>
    /// <param name="cos">Rotary cos table [positions, headDim].</param>
    /// <param name="sin">Rotary sin table [positions, headDim].</param>
    public Tensor forward(Tensor hidden, Tensor cos, Tensor sin)
    {
        using var scope = torch.NewDisposeScope();
        long batch = hidden.shape[0], positions = hidden.shape[1];
        Tensor Heads(Tensor x, int count) => x.view(batch, positions, count, _headDim).transpose(1, 2);
        var q = LlamaRotaryEmbedding.Apply(Heads(_q.forward(hidden), _heads), cos, sin);
        var k = LlamaRotaryEmbedding.Apply(Heads(_k.forward(hidden), _kvHeads), cos, sin);
        var v = Heads(_v.forward(hidden), _kvHeads);
        if (_kvHeads != _heads)
        {
            k = k.repeat_interleave(_heads / _kvHeads, dim: 1);
            v = v.repeat_interleave(_heads / _kvHeads, dim: 1);
        }
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        var merged = attended.transpose(1, 2).reshape(batch, positions, _heads * _headDim);
        return _o.forward(merged).MoveToOuterDisposeScope();
    }
}
