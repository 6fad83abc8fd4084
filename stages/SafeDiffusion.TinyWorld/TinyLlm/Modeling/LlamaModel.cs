using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using SafeDiffusion.Prompts.Gguf;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm.Modeling;

/// <summary>transformers' <c>LlamaModel</c>: <c>embed_tokens</c>, <c>layers.N</c>, and the final <c>norm</c>.</summary>
public sealed class LlamaModel : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "embed_tokens")]
    private readonly Embedding _embedTokens;
    [ComponentName(Name = "layers")]
    private readonly ModuleList<LlamaDecoderLayer> _layers;
    [ComponentName(Name = "norm")]
    private readonly LlamaRMSNorm _norm;
    private readonly LlamaHyperParameters _p;

    public LlamaModel(LlamaHyperParameters p, Device? device = null) : base(nameof(LlamaModel))
    {
        _p = p;
        _embedTokens = nn.Embedding(p.VocabularySize, p.EmbeddingLength, device: device);
        _layers = nn.ModuleList(Enumerable.Range(0, p.BlockCount).Select(_ => new LlamaDecoderLayer(p, device)).ToArray());
        _norm = new LlamaRMSNorm(p.EmbeddingLength, p.RmsNormEpsilon, device);
        RegisterComponents();
    }

    /// <summary>Final-norm hidden states <c>[batch, positions, hidden]</c> of token ids <c>[batch, positions]</c> at positions 0, 1, ...</summary>
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = torch.NewDisposeScope();
        var (cos, sin) = LlamaRotaryEmbedding.Tables(inputIds.shape[1], _p.HeadDimension, _p.RopeFreqBase, inputIds.device);
        var h = _embedTokens.forward(inputIds);
        foreach (var layer in _layers) h = layer.forward(h, cos, sin);
        return _norm.forward(h).MoveToOuterDisposeScope();
    }
}
