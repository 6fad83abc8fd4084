using SafeDiffusion.Diffusion.ModelFolder;
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

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory) =>
        RunIn(modelDirectory, casesDirectory, ScalarType.Float32, CPU, ParityTolerances.Component);

    /// <summary>
    /// The same passes with the VAE loaded in <paramref name="type"/> on <paramref name="device"/>, even where a
    /// pipeline would upcast it (this is the VAE's own precision), held to <paramref name="tolerance"/>.
    /// </summary>
    /// <exception cref="SafeDiffusion.Core.Errors.InputDataException">A tensor of the case is missing or has the wrong shape.</exception>
    public static IReadOnlyList<CaseResult> RunIn(string modelDirectory, string casesDirectory, ScalarType type, Device device,
        Func<double, double> tolerance)
    {
        LibTorchRuntime.EnsureLoadable();
        using var cases = CaseTensors.Open(Path.Combine(casesDirectory, FileName));
        using var vae = AutoencoderKL.FromFolder(CaseFiles.ComponentDirectory(modelDirectory, StableDiffusionComponents.Vae), type, device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var image = cases.RequireShape("image", -1, vae.Config.InChannels, -1, -1);
        var latent = cases.RequireShape("latent", -1, vae.Config.LatentChannels, -1, -1);
        using var posterior = vae.Encode(image.to(type, device));
        var decoded = vae.Decode(latent.to(type, device));
        return
        [
            cases.Compare("posterior_mean", posterior.Mean, cases.Require("posterior_mean"), tolerance),
            cases.Compare("posterior_std", posterior.Std, cases.Require("posterior_std"), tolerance),
            cases.Compare("decoded", decoded, cases.Require("decoded"), tolerance),
        ];
    }
}
