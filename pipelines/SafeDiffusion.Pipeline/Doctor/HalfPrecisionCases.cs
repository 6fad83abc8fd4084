using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Verification;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>
/// The sd-parity component and txt2img cases run in a 16-bit type on a device, through the reference cases' own
/// <c>RunIn</c>, and compared with their float32 references within <see cref="HalfPrecisionTolerance"/>.
/// </summary>
internal static class HalfPrecisionCases
{
    /// <summary>One UNet pass of <c>unet.safetensors</c>.</summary>
    public static IReadOnlyList<CaseResult> Unet(string modelDirectory, string casesDirectory, ScalarType type, Device device) =>
        UnetCase.RunIn(modelDirectory, casesDirectory, type, device, Component(type));

    /// <summary>The encoder's posterior and the decoder's output of <c>vae.safetensors</c>, the VAE in the row's type
    /// even where a pipeline would upcast it (this row is the VAE's own precision).</summary>
    public static IReadOnlyList<CaseResult> Vae(string modelDirectory, string casesDirectory, ScalarType type, Device device) =>
        VaeCase.RunIn(modelDirectory, casesDirectory, type, device, Component(type));

    /// <summary>The text encoder's last hidden state (and pooled output when the case has it) of <c>text_encoder.safetensors</c>.</summary>
    public static IReadOnlyList<CaseResult> TextEncoder(string modelDirectory, string casesDirectory, ScalarType type, Device device) =>
        TextEncoderCase.RunIn(modelDirectory, casesDirectory, type, device, Component(type));

    /// <summary>
    /// The whole sampling loop of <c>txt2img.safetensors</c> + <c>txt2img.json</c> as the images stage runs it in the
    /// row's type: text encoder and UNet in that type, the VAE upcast to float32 where float16 would overflow it
    /// (<see cref="StableDiffusionModels.Load"/>), latents and scheduler arithmetic in float32.
    /// </summary>
    public static IReadOnlyList<CaseResult> Txt2Img(string modelDirectory, string casesDirectory, ScalarType type, Device device) =>
        Txt2ImgCase.RunIn(modelDirectory, casesDirectory, type, device,
            folder => ClipTextEncoder.FromModelFolder(folder, type, device), Txt2Img(type));

    private static Func<double, double> Component(ScalarType type) => max => HalfPrecisionTolerance.Component(type, max);
    private static Func<double, double> Txt2Img(ScalarType type) => max => HalfPrecisionTolerance.Txt2Img(type, max);
}
