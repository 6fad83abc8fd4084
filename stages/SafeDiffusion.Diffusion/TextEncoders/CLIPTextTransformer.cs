using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>
/// transformers' <c>CLIPTextTransformer</c> (the <c>text_model</c> of CLIPTextModel and CLIPModel): embeddings,
/// causal encoder, final_layer_norm, and pooling at the end token.
/// </summary>
public sealed class CLIPTextTransformer : nn.Module<Tensor, CLIPTextOutput>
{
    [ComponentName(Name = "embeddings")]
    private readonly CLIPTextEmbeddings _embeddings;
    [ComponentName(Name = "encoder")]
    private readonly CLIPEncoder _encoder;
    [ComponentName(Name = "final_layer_norm")]
    private readonly LayerNorm _finalLayerNorm;

    public CLIPTextTransformer(CLIPTextConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPTextTransformer))
    {
        Config = config;
        _embeddings = new CLIPTextEmbeddings(config, device, dtype);
        _encoder = new CLIPEncoder(config, device, dtype);
        _finalLayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps, device: device, dtype: dtype);
        RegisterComponents();
    }

    public CLIPTextConfig Config { get; }

    public override CLIPTextOutput forward(Tensor inputIds) => forward(inputIds, null);

    /// <param name="inputIds">int64 [batch, tokens].</param>
    /// <param name="attentionMask">Optional [batch, tokens], 1 for real tokens and 0 for padding; SD pipelines pass none.</param>
    public CLIPTextOutput forward(Tensor inputIds, Tensor? attentionMask)
    {
        using var scope = torch.NewDisposeScope();
        var hidden = _embeddings.forward(inputIds);
        Tensor? mask = null;
        if (attentionMask is not null)
        {
            // SDPA takes one mask or is_causal, not both: fold causality and key padding into one boolean mask.
            long tokens = inputIds.shape[^1];
            var causal = torch.ones(tokens, tokens, ScalarType.Bool, inputIds.device).tril();
            var keys = attentionMask.to(ScalarType.Bool).view(attentionMask.shape[0], 1, 1, tokens);
            mask = causal.view(1, 1, tokens, tokens).logical_and(keys);
        }
        var last = _finalLayerNorm.forward(_encoder.forward(hidden, mask, causal: true));

        var positions = Config.PoolsAtLargestId
            ? inputIds.argmax(-1)
            : inputIds.eq(Config.EosTokenId).to(ScalarType.Int32).argmax(-1);
        long width = last.shape[^1];
        var pooled = last.gather(1, positions.view(-1, 1, 1).expand(-1, 1, width)).squeeze(1);
        return new CLIPTextOutput(last.MoveToOuterDisposeScope(), pooled.MoveToOuterDisposeScope());
    }
}
