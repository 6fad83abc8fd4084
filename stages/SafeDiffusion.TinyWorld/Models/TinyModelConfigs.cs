using System.Reflection;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;

namespace SafeDiffusion.TinyWorld.Models;

/// <summary>
/// The tiny Stable Diffusion's component configs (<c>configs/tiny-models/*.json</c>, embedded in this assembly):
/// diffusers/transformers <c>config.json</c> files read by the same records that read real Stable Diffusion
/// folders, so the tiny model is built by exactly the code that runs SD 1.4.
/// </summary>
public static class TinyModelConfigs
{
    public const string TextEncoderFile = "text_encoder.json";
    public const string VaeFile = "vae.json";
    public const string UnetFile = "unet.json";
    public const string SchedulerFile = "scheduler.json";

    /// <summary>The raw JSON of one config file, as shipped.</summary>
    public static string Text(string fileName)
    {
        var name = $"tiny-models/{fileName}";
        using var stream = typeof(TinyModelConfigs).Assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"the build did not embed {name}; configs/tiny-models/{fileName} is missing from the source tree.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public static CLIPTextConfig TextEncoder() => Read<CLIPTextConfig>(TextEncoderFile);
    public static AutoencoderKLConfig Vae() => Read<AutoencoderKLConfig>(VaeFile);
    public static UNet2DConditionConfig Unet() => Read<UNet2DConditionConfig>(UnetFile);
    public static SchedulerConfig Scheduler() => SchedulerConfig.Parse(Text(SchedulerFile), $"tiny-models/{SchedulerFile}");

    /// <summary>
    /// Writes the configs into a diffusers folder layout (<c>text_encoder/config.json</c>, <c>vae/config.json</c>,
    /// <c>unet/config.json</c>, <c>scheduler/scheduler_config.json</c>), for a pretraining step to add weights to.
    /// </summary>
    public static void WriteDiffusersLayout(string folder)
    {
        AtomicFile.WriteAllText(Path.Combine(folder, "text_encoder", "config.json"), Text(TextEncoderFile));
        AtomicFile.WriteAllText(Path.Combine(folder, "vae", "config.json"), Text(VaeFile));
        AtomicFile.WriteAllText(Path.Combine(folder, "unet", "config.json"), Text(UnetFile));
        AtomicFile.WriteAllText(Path.Combine(folder, "scheduler", "scheduler_config.json"), Text(SchedulerFile));
    }

    private static T Read<T>(string fileName) where T : class
    {
        // ComponentConfig reads files; the embedded text goes through a temp-free path by deserialising directly.
        return System.Text.Json.JsonSerializer.Deserialize<T>(Text(fileName), ComponentConfig.Json)
               ?? throw new InvalidOperationException($"tiny-models/{fileName} is empty.");
    }
}
