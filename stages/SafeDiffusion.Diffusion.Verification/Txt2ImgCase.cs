using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Schedulers;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// <c>txt2img.safetensors</c> + <c>txt2img.json</c>: the whole sampling loop. Embeddings of <c>prompt_ids</c> and
/// <c>uncond_ids</c> from the model's text encoder, <c>latents_init</c> scaled by the scheduler's init sigma, the
/// json's scheduler, steps and guidance, then VAE decode: <c>latents_final</c> and <c>image</c> ([0, 1]) are
/// compared with the looser txt2img tolerance. An optional json <c>seed</c> seeds the noise of stochastic schedulers.
/// </summary>
public sealed class Txt2ImgCase : IReferenceCase
{
    public const string TensorFile = "txt2img.safetensors";
    public const string SettingsFile = "txt2img.json";

    private readonly Func<string, ITextEncoder> _loadTextEncoder;

    /// <param name="loadTextEncoder">Loads the text encoder of a model folder.</param>
    public Txt2ImgCase(Func<string, ITextEncoder> loadTextEncoder) => _loadTextEncoder = loadTextEncoder;

    public string Name => "txt2img";

    public bool IsPresent(string casesDirectory) =>
        File.Exists(Path.Combine(casesDirectory, TensorFile)) && File.Exists(Path.Combine(casesDirectory, SettingsFile));

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory) =>
        RunIn(modelDirectory, casesDirectory, ScalarType.Float32, CPU, _loadTextEncoder, ParityTolerances.Txt2Img);

    /// <summary>
    /// The same loop with the models loaded in <paramref name="type"/> on <paramref name="device"/> (the VAE upcast
    /// where <see cref="StableDiffusionModels.Load"/> upcasts it), latents and scheduler arithmetic in float32, held to
    /// <paramref name="tolerance"/>: how a half-precision check runs the float32 reference case.
    /// </summary>
    /// <exception cref="InputDataException">The case's VAE scaling factor is not the model's.</exception>
    public static IReadOnlyList<CaseResult> RunIn(string modelDirectory, string casesDirectory, ScalarType type, Device device,
        Func<string, ITextEncoder> loadTextEncoder, Func<double, double> tolerance)
    {
        LibTorchRuntime.EnsureLoadable();
        var settings = Txt2ImgCaseSettings.Read(Path.Combine(casesDirectory, SettingsFile));
        using var cases = CaseTensors.Open(Path.Combine(casesDirectory, TensorFile));
        using var models = StableDiffusionModels.Load(modelDirectory, type, device);
        if (settings.VaeScalingFactor is { } factor && Math.Abs(factor - models.Vae.ScalingFactor) > 1e-9)
            throw new InputDataException(settings.Path,
                $"uses VAE scaling factor {factor} but the model's vae/config.json says {models.Vae.ScalingFactor}.", "vae_scaling_factor");
        var sampler = models.CreateSampler(settings.Scheduler);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var latents = cases.RequireShape("latents_init", -1, models.Unet.Config.InChannels, -1, -1);
        long batch = latents.shape[0];
        var promptIds = cases.RequireShape("prompt_ids", batch, -1);
        var uncondIds = cases.RequireShape("uncond_ids", batch, promptIds.shape[1]);
        Tensor prompt, uncond;
        using (var encoder = loadTextEncoder(modelDirectory))
        {
            prompt = encoder.Encode(promptIds);
            uncond = encoder.Encode(uncondIds);
        }

        int downscale = models.Vae.Config.DownscaleFactor;
        var options = new Txt2ImgOptions
        {
            Width = (int)latents.shape[3] * downscale,
            Height = (int)latents.shape[2] * downscale,
            Steps = settings.Steps,
            GuidanceScale = settings.GuidanceScale,
            BatchSize = (int)batch,
        };
        // Stochastic schedulers draw from a CPU generator, as the reference did, whatever the device.
        using var generator = settings.Seed is { } seed ? new Generator((ulong)seed) : null;
        var seeds = Enumerable.Repeat(settings.Seed ?? 0, (int)batch).ToList();
        using var result = sampler.Sample(prompt, uncond, latents, options, generator is null ? null : new NoiseGenerator(generator), seeds);
        return
        [
            cases.Compare("latents_final", result.Latents, cases.Require("latents_final"), tolerance),
            cases.Compare("image", result.Pixels, cases.Require("image"), tolerance),
        ];
    }
}
