using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Diffusion.TextEncoders;

/// <summary>Checks shared by the CLIP text and vision configs.</summary>
internal static class ClipConfigChecks
{
    public static void Positive(string path, string field, long value)
    {
        if (value <= 0) throw new InputDataException(path, $"must be positive, is {value}.", field);
    }

    public static void Encoder(string path, ICLIPEncoderConfig c, string prefix = "")
    {
        Positive(path, prefix + "hidden_size", c.HiddenSize);
        Positive(path, prefix + "intermediate_size", c.IntermediateSize);
        Positive(path, prefix + "num_attention_heads", c.NumAttentionHeads);
        if (c.NumHiddenLayers < 0) throw new InputDataException(path, $"must not be negative, is {c.NumHiddenLayers}.", prefix + "num_hidden_layers");
        if (c.HiddenSize % c.NumAttentionHeads != 0)
            throw new InputDataException(path, $"hidden_size {c.HiddenSize} is not divisible by num_attention_heads {c.NumAttentionHeads}.", prefix + "num_attention_heads");
        if (!(c.LayerNormEps > 0)) throw new InputDataException(path, $"must be positive, is {c.LayerNormEps}.", prefix + "layer_norm_eps");
        CLIPActivation.Validate(c.HiddenAct, path, prefix + "hidden_act");
    }
}
