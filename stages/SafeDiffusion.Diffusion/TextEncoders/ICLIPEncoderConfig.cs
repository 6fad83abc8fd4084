namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>The transformer sizes the CLIP text and vision towers share (transformers' CLIP*Config fields).</summary>
public interface ICLIPEncoderConfig
{
    int HiddenSize { get; }
    int IntermediateSize { get; }
    int NumAttentionHeads { get; }
    int NumHiddenLayers { get; }
    string HiddenAct { get; }
    double LayerNormEps { get; }
}
