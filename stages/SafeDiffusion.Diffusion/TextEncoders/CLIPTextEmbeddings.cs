using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>transformers' <c>CLIPTextEmbeddings</c>: token embedding plus learned absolute position embedding.</summary>
public sealed class CLIPTextEmbeddings : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "token_embedding")]
    private readonly Embedding _tokenEmbedding;
    [ComponentName(Name = "position_embedding")]
    private readonly Embedding _positionEmbedding;

    public CLIPTextEmbeddings(CLIPTextConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(CLIPTextEmbeddings))
    {
        _tokenEmbedding = nn.Embedding(config.VocabSize, config.HiddenSize, device: device, dtype: dtype);
        _positionEmbedding = nn.Embedding(config.MaxPositionEmbeddings, config.HiddenSize, device: device, dtype: dtype);
        RegisterComponents();
    }

    public long MaxPositions => _positionEmbedding.weight!.shape[0];

    /// <param name="inputIds">int64 [batch, tokens], tokens at most max_position_embeddings.</param>
    public override Tensor forward(Tensor inputIds)
    {
        long tokens = inputIds.shape[^1];
        if (tokens > MaxPositions)
            throw new ArgumentException($"{tokens} tokens exceed the {MaxPositions} positions of the text encoder.", nameof(inputIds));
        using var scope = torch.NewDisposeScope();
        var positions = torch.arange(tokens, ScalarType.Int64, inputIds.device).unsqueeze(0);
        return (_tokenEmbedding.forward(inputIds) + _positionEmbedding.forward(positions)).MoveToOuterDisposeScope();
    }
}
