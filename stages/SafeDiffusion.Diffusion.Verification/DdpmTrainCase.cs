using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Verification;

/// <summary>
/// <c>ddpm_train.safetensors</c>: the training-side functions of a DDPM scheduler configured from the model
/// folder's <c>scheduler_config.json</c> (as training scripts build it): <c>noisy</c> = add_noise(latents, noise,
/// timesteps), <c>velocity</c> = get_velocity(...), and <c>alphas_cumprod</c>.
/// </summary>
public sealed class DdpmTrainCase : IReferenceCase
{
    public const string FileName = "ddpm_train.safetensors";

    public string Name => "ddpm_train";

    public bool IsPresent(string casesDirectory) => File.Exists(Path.Combine(casesDirectory, FileName));

    public IReadOnlyList<CaseResult> Run(string modelDirectory, string casesDirectory)
    {
        LibTorchRuntime.EnsureLoadable();
        using var cases = CaseTensors.Open(Path.Combine(casesDirectory, FileName));
        using var scheduler = SchedulerFactory.FromModelFolder(modelDirectory, "ddpm");
        using var scope = NewDisposeScope();
        var latents = cases.Require("latents", ScalarType.Float32);
        var noise = cases.RequireShape("noise", latents.shape);
        var timesteps = cases.RequireShape("timesteps", latents.shape[0]);
        return
        [
            cases.Compare("noisy", scheduler.AddNoise(latents, noise, timesteps), cases.Require("noisy")),
            cases.Compare("velocity", scheduler.GetVelocity(latents, noise, timesteps), cases.Require("velocity")),
            cases.Compare("alphas_cumprod", scheduler.AlphasCumprod, cases.Require("alphas_cumprod")),
        ];
    }
}
