namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// The per-block values the UNet builds every block from (diffusers passes them to <c>get_down_block</c> /
/// <c>get_up_block</c>). <see cref="Heads"/> is the number of attention heads, whatever the config key is called.
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
    ModulePlacement Placement);
