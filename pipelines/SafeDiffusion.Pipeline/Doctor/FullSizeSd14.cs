using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>
/// Stable Diffusion v1.4's components at their real sizes with random weights, built from SD 1.4's released config
/// files (shipped beside the program, from tests/SafeDiffusion.Diffusion.Tests/FullSize/Configs/sd14), directly on
/// the device in the asked type: no weight files, and speed does not depend on the weights' values.
/// </summary>
internal static class FullSizeSd14
{
    /// <summary>Where the config files sit beside the program.</summary>
    public static string ConfigDirectory => Path.Combine(AppContext.BaseDirectory, "full-size", "sd14");

    public static UNet2DConditionModel Unet(ScalarType type, Device device) =>
        Eval(new UNet2DConditionModel(UNet2DConditionConfig.Read(Config(StableDiffusionComponents.Unet)), device, type));

    public static AutoencoderKL Vae(ScalarType type, Device device) =>
        Eval(new AutoencoderKL(VaeConfig(), device, type));

    public static AutoencoderKLConfig VaeConfig() => AutoencoderKLConfig.Read(Config(StableDiffusionComponents.Vae));

    public static CLIPTextModel TextEncoder(ScalarType type, Device device)
    {
        var path = Config(StableDiffusionComponents.TextEncoder);
        var config = ComponentConfig.Read<CLIPTextConfig>(path);
        config.Validate(path);
        return Eval(new CLIPTextModel(config, device, type));
    }

    public static SchedulerConfig Scheduler() =>
        SchedulerConfig.Read(Path.Combine(ConfigDirectory, StableDiffusionComponents.Scheduler, "scheduler_config.json"));

    private static string Config(string component)
    {
        var path = Path.Combine(ConfigDirectory, component, "config.json");
        if (!File.Exists(path))
            throw new InputDataException(path, "is missing from the program's folder.",
                fix: "Rebuild or republish the pipeline project: it copies SD 1.4's config files beside the program.");
        return path;
    }

    private static T Eval<T>(T module) where T : TorchSharp.torch.nn.Module
    {
        module.eval();
        foreach (var p in module.parameters()) p.requires_grad = false;
        return module;
    }
}
