namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>A transformers <c>CLIPTextConfig</c> (text_encoder/config.json); defaults are transformers' defaults.</summary>
public sealed record CLIPTextConfig : ICLIPEncoderConfig
{
    public int VocabSize { get; init; } = 49408;
    public int HiddenSize { get; init; } = 512;
    public int IntermediateSize { get; init; } = 2048;
    public int ProjectionDim { get; init; } = 512;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 8;
    public int MaxPositionEmbeddings { get; init; } = 77;
    public string HiddenAct { get; init; } = "quick_gelu";
    public double LayerNormEps { get; init; } = 1e-5;
    public int PadTokenId { get; init; } = 1;
    public int BosTokenId { get; init; } = 49406;
    public int EosTokenId { get; init; } = 49407;

    /// <summary>
    /// Configs written before transformers 4.31 carry <c>eos_token_id: 2</c>; transformers then pools at the largest
    /// id (the end token is the largest id in CLIP's vocabulary) instead of at the first end token.
    /// </summary>
    public bool PoolsAtLargestId => EosTokenId == 2;

    /// <summary>Rejects sizes the model cannot be built with, naming the config file and field.</summary>
    /// <param name="fieldPrefix">Where the config sits in its file, e.g. "text_config." inside a CLIPConfig.</param>
    public void Validate(string configPath, string fieldPrefix = "")
    {
        ClipConfigChecks.Positive(configPath, fieldPrefix + "vocab_size", VocabSize);
        ClipConfigChecks.Positive(configPath, fieldPrefix + "max_position_embeddings", MaxPositionEmbeddings);
        ClipConfigChecks.Encoder(configPath, this, fieldPrefix);
    }
}
