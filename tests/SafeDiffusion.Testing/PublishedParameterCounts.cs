namespace SafeDiffusion.Testing;

/// <summary>
/// Parameter counts of the released Stable Diffusion components, as published (sources in
/// tests/SafeDiffusion.Diffusion.Tests/FullSize/Configs/README.md; FullSizeStructureTests builds each component from
/// the released configs and checks them). Memory tests size full-size runs from these without weights.
/// </summary>
public static class PublishedParameterCounts
{
    public const long Sd1Unet = 859_520_964;
    public const long Sd2Unet = 865_910_724;
    public const long Vae = 83_653_863;
    public const long ClipVitL14TextModel = 123_060_480;
    public const long OpenClipVitH14TextModel = 340_387_840;

    /// <summary>SD 1.4's UNet, VAE and text encoder together.</summary>
    public const long Sd14 = Sd1Unet + Vae + ClipVitL14TextModel;

    /// <summary>SD 2.1's UNet, VAE and text encoder together.</summary>
    public const long Sd21 = Sd2Unet + Vae + OpenClipVitH14TextModel;
}
