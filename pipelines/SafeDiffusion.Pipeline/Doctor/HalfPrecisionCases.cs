using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Diffusion.Verification;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>
/// The sd-parity component and txt2img cases (read with the verification case readers) run in a 16-bit type on a
/// device and compared with their float32 references within <see cref="HalfPrecisionTolerance"/>. The reference
/// verifiers themselves run float32 on the CPU only, so the models are loaded here in the row's type; inputs go to
/// the device in that type, outputs come back as they are and are compared in float64.
/// </summary>
internal static class HalfPrecisionCases
{
    /// <summary>One UNet pass of <c>unet.safetensors</c>.</summary>
    public static IReadOnlyList<CaseResult> Unet(string modelDirectory, string casesDirectory, ScalarType type, Device device)
    {
        using var cases = CaseTensors.Open(Path.Combine(casesDirectory, UnetCase.FileName));
        using var unet = UNet2DConditionModel.FromFolder(CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.Unet), type, device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var sample = cases.RequireShape("sample", -1, unet.Config.InChannels, -1, -1);
        var timestep = cases.Require("timestep");
        var context = cases.RequireShape("encoder_hidden_states", sample.shape[0], -1, unet.Config.CrossAttentionDim.Values[0]);
        var output = unet.Forward(sample.to(type, device), timestep.to(device), context.to(type, device));
        return [cases.Compare("out", output, cases.Require("out"), Component(type))];
    }

    /// <summary>The encoder's posterior and the decoder's output of <c>vae.safetensors</c>, the VAE in the row's type
    /// even where a pipeline would upcast it (this row is the VAE's own precision).</summary>
    public static IReadOnlyList<CaseResult> Vae(string modelDirectory, string casesDirectory, ScalarType type, Device device)
    {
        using var cases = CaseTensors.Open(Path.Combine(casesDirectory, VaeCase.FileName));
        using var vae = AutoencoderKL.FromFolder(CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.Vae), type, device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var image = cases.RequireShape("image", -1, vae.Config.InChannels, -1, -1);
        var latent = cases.RequireShape("latent", -1, vae.Config.LatentChannels, -1, -1);
        using var posterior = vae.Encode(image.to(type, device));
        var decoded = vae.Decode(latent.to(type, device));
        return
        [
            cases.Compare("posterior_mean", posterior.Mean, cases.Require("posterior_mean"), Component(type)),
            cases.Compare("posterior_std", posterior.Std, cases.Require("posterior_std"), Component(type)),
            cases.Compare("decoded", decoded, cases.Require("decoded"), Component(type)),
        ];
    }

    /// <summary>The text encoder's last hidden state (and pooled output when the case has it) of <c>text_encoder.safetensors</c>.</summary>
    public static IReadOnlyList<CaseResult> TextEncoder(string modelDirectory, string casesDirectory, ScalarType type, Device device)
    {
        using var cases = CaseTensors.Open(Path.Combine(casesDirectory, TextEncoderCase.FileName));
        using var model = CLIPTextModel.FromFolder(CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.TextEncoder), type, device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var output = model.forward(cases.Require("input_ids").to(ScalarType.Int64, device));
        var results = new List<CaseResult>
        {
            cases.Compare("last_hidden_state", output.LastHiddenState, cases.Require("last_hidden_state"), Component(type)),
        };
        if (cases.Contains("pooled_output"))
            results.Add(cases.Compare("pooled_output", output.PooledOutput, cases.Require("pooled_output"), Component(type)));
        return results;
    }

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
