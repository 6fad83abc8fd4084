using TorchSharp;
using TorchSharp.Utils;
using SafeDiffusion.Prompts.Gguf;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm.Modeling;

/// <summary>transformers' <c>LlamaDecoderLayer</c>: pre-norm attention and pre-norm MLP, each with a residual.</summary>
public sealed class LlamaDecoderLayer : nn.Module
{
    [ComponentName(Name = "self_attn")]
    private readonly LlamaAttention _selfAttn;
    [ComponentName(Name = "mlp")]
    private readonly LlamaMLP _mlp;
    [ComponentName(Name = "input_layernorm")]
    private readonly LlamaRMSNorm _inputLayerNorm;
    [ComponentName(Name = "post_attention_layernorm")]
    private readonly LlamaRMSNorm _postAttentionLayerNorm;

    public LlamaDecoderLayer(LlamaHyperParameters p, Device? device = null) : base(nameof(LlamaDecoderLayer))
    {
        _selfAttn = new LlamaAttention(p.EmbeddingLength, p.HeadCount, p.HeadCountKv, device);
        _mlp = new LlamaMLP(p.EmbeddingLength, p.FeedForwardLength, device);
        _inputLayerNorm = new LlamaRMSNorm(p.EmbeddingLength, p.RmsNormEpsilon, device);
        _postAttentionLayerNorm = new LlamaRMSNorm(p.EmbeddingLength, p.RmsNormEpsilon, device);
        RegisterComponents();
    }

    public Tensor forward(Tensor hidden, Tensor cos, Tensor sin)
    {
        using var scope = torch.NewDisposeScope();
        var h = hidden + _selfAttn.forward(_inputLayerNorm.forward(hidden), cos, sin);
        h = h + _mlp.forward(_postAttentionLayerNorm.forward(h));
        return h.MoveToOuterDisposeScope();
    }
}
