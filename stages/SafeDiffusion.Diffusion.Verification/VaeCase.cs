using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// <c>vae.safetensors</c>: the encoder's posterior of <c>image</c> (<c>posterior_mean</c>, <c>posterior_std</c>)
/// and the decoder's output for <c>latent</c> (<c>decoded</c>, no scaling factor applied).
/// </summary>
public sealed class VaeCase : IReferenceCase
{
    public const string FileName = "vae.safetensors";

    public string Name => "vae";

    public bool IsPresent(string casesDirectory) => File.Exists(Path.Combine(casesDirectory, FileName));

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory)
    {
        LibTorchRuntime.EnsureLoadable();
        using var cases = CaseTensors.Open(Path.Combine(casesDirectory, FileName));
        using var vae = AutoencoderKL.FromFolder(Path.Combine(modelDirectory, "vae"), ScalarType.Float32, CPU);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var image = cases.RequireShape("image", -1, vae.Config.InChannels, -1, -1);
        var latent = cases.RequireShape("latent", -1, vae.Config.LatentChannels, -1, -1);
        using var posterior = vae.Encode(image);
        var decoded = vae.Decode(latent);
        return
        [
            cases.Compare("posterior_mean", posterior.Mean, cases.Require("posterior_mean")),
            cases.Compare("posterior_std", posterior.Std, cases.Require("posterior_std")),
            cases.Compare("decoded", decoded, cases.Require("decoded")),
        ];
    }
}
