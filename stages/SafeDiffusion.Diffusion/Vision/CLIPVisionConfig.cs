using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.TextEncoders;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>A transformers <c>CLIPVisionConfig</c>; defaults are transformers' defaults (ViT-B/32).</summary>
public sealed record CLIPVisionConfig : ICLIPEncoderConfig
{
    public int HiddenSize { get; init; } = 768;
    public int IntermediateSize { get; init; } = 3072;
    public int ProjectionDim { get; init; } = 512;
    public int NumHiddenLayers { get; init; } = 12;
    public int NumAttentionHeads { get; init; } = 12;
    public int NumChannels { get; init; } = 3;
    public int ImageSize { get; init; } = 224;
    public int PatchSize { get; init; } = 32;
    public string HiddenAct { get; init; } = "quick_gelu";
    public double LayerNormEps { get; init; } = 1e-5;

    public int NumPatches => (ImageSize / PatchSize) * (ImageSize / PatchSize);

    /// <summary>Patches plus the class token.</summary>
    public int NumPositions => NumPatches + 1;

    /// <param name="fieldPrefix">Where the config sits in its file, e.g. "vision_config." inside a CLIPConfig.</param>
    public void Validate(string configPath, string fieldPrefix = "")
    {
        foreach (var (field, value) in new[] { ("num_channels", NumChannels), ("image_size", ImageSize), ("patch_size", PatchSize) })
            if (value <= 0) throw new InputDataException(configPath, $"must be positive, is {value}.", fieldPrefix + field);
        if (PatchSize > ImageSize)
            throw new InputDataException(configPath, $"patch_size {PatchSize} is larger than image_size {ImageSize}.", fieldPrefix + "patch_size");
        ClipConfigChecks.Encoder(configPath, this, fieldPrefix);
    }

    /// <summary>The config with the MLP width the checkpoint's layers under <paramref name="prefix"/> actually have.</summary>
    internal static CLIPVisionConfig WithWeightShapes(CLIPVisionConfig config, IReadOnlyList<Safetensors.SafetensorsFile> files, string prefix) =>
        config with
        {
            IntermediateSize = ClipWeightShapes.MlpWidth(files, prefix + "encoder.layers.", config.NumHiddenLayers, config.HiddenSize, config.IntermediateSize),
        };
}
