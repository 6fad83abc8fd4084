namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// The per-block values the UNet builds every block from (diffusers passes them to <c>get_down_block</c> /
/// <c>get_up_block</c>). <see cref="Heads"/> is the number of attention heads, whatever the config key is called;
/// <see cref="TimeScaleShift"/> is <c>resnet_time_scale_shift: "scale_shift"</c>.
/// </summary>
public sealed record UNetBlockSettings(
    int Layers,
    long InChannels,
    long OutChannels,
    long TembChannels,
    int Heads,
    int TransformerLayers,
    long CrossAttentionDim,
    int NormGroups,
    double NormEps,
    Func<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Activation,
    bool UseLinearProjection,
    bool UpcastAttention,
    double Dropout,
    ModulePlacement Placement,
    bool TimeScaleShift = false)
{
    /// <summary>A resnet of these settings from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public ResnetBlock2D Resnet(long inChannels, long outChannels, double outputScaleFactor = 1.0) =>
        new(inChannels, outChannels, TembChannels, NormGroups, NormEps, Activation, Dropout, outputScaleFactor, Placement, TimeScaleShift);

    /// <summary>A spatial transformer of these settings over <paramref name="channels"/>, split into <see cref="Heads"/> heads.</summary>
    public Transformer2DModel Transformer(long channels) =>
        new(Heads, channels / Heads, channels, TransformerLayers, CrossAttentionDim, NormGroups, UseLinearProjection, UpcastAttention, Dropout, Placement);
}
