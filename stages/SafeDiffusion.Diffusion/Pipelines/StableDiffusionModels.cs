using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Pipelines;

/// <summary>
/// The denoising side of a diffusers model folder, loaded for sampling: the UNet, the VAE and the scheduler config.
/// The VAE runs in float32 when asked for float16 and its config sets <c>force_upcast</c> (SD's VAE overflows in
/// float16); bfloat16 has float32's range and is kept.
/// </summary>
public sealed class StableDiffusionModels : IDisposable
{
    private StableDiffusionModels(string directory, UNet2DConditionModel unet, AutoencoderKL vae, SchedulerConfig schedulerConfig)
    {
        Directory = directory;
        Unet = unet;
        Vae = vae;
        SchedulerConfig = schedulerConfig;
    }

    public string Directory { get; }
    public UNet2DConditionModel Unet { get; }
    public AutoencoderKL Vae { get; }
    public SchedulerConfig SchedulerConfig { get; }

    /// <param name="variant">Weight file variant to prefer, e.g. <c>fp16</c>.</param>
    public static StableDiffusionModels Load(string modelDirectory, ScalarType dtype, Device device, string? variant = null)
    {
        LibTorchRuntime.EnsureLoadable();
        // Fails first, and clearly, on a folder that is not a diffusers model (no model_index.json).
        ModelFolder.StableDiffusionModelFolder.Open(modelDirectory);
        var schedulerConfig = SchedulerConfig.Read(Path.Combine(modelDirectory, "scheduler", "scheduler_config.json"));
        var vaeDirectory = Path.Combine(modelDirectory, "vae");
        var vaeConfig = AutoencoderKLConfig.Read(Path.Combine(vaeDirectory, "config.json"));
        var vaeType = VaeType(dtype, vaeConfig);
        var unet = UNet2DConditionModel.FromFolder(Path.Combine(modelDirectory, "unet"), dtype, device, variant);
        try
        {
            var vae = AutoencoderKL.FromFolder(vaeDirectory, vaeType, device, variant);
            return new StableDiffusionModels(modelDirectory, unet, vae, schedulerConfig);
        }
        catch
        {
            unet.Dispose();
            throw;
        }
    }

    /// <summary>The type the VAE runs in when the models are asked for <paramref name="dtype"/>: float32 instead of
    /// float16 when its config sets <c>force_upcast</c>, else <paramref name="dtype"/>.</summary>
    public static ScalarType VaeType(ScalarType dtype, AutoencoderKLConfig vaeConfig) =>
        dtype == ScalarType.Float16 && vaeConfig.ForceUpcast ? ScalarType.Float32 : dtype;

    /// <summary>A sampler over these models with the named scheduler (null: the folder's own <c>_class_name</c>).</summary>
    public StableDiffusionSampler CreateSampler(string? schedulerName = null)
    {
        // Build one now so a bad name or config fails here rather than mid-run.
        using (CreateScheduler(schedulerName)) { }
        return new StableDiffusionSampler(Unet, Vae, () => CreateScheduler(schedulerName));
    }

    private IScheduler CreateScheduler(string? name) =>
        name is null ? SchedulerFactory.FromConfig(SchedulerConfig) : SchedulerFactory.Create(name, SchedulerConfig);

    public void Dispose()
    {
        Unet.Dispose();
        Vae.Dispose();
    }
}
