using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Images.Generation;

/// <summary>
/// What a txt2img replica asks the device scheduler for: its weights as stored on disk (an upper bound for fp16
/// files loaded in fp16) plus activations that grow with batch and resolution. Deliberately rough; the budget it is
/// checked against is the user's `devices[].memory`.
/// </summary>
public static class MemoryEstimate
{
    public static ByteSize ForTxt2Img(string modelDirectory, ImageGenerationConfig config)
    {
        long weights = 0;
        foreach (var component in new[] { "unet", "vae", "text_encoder" })
        {
            var dir = Path.Combine(modelDirectory, component);
            if (!Directory.Exists(dir)) continue;
            // One weight file per component counts (a folder may hold fp32 and fp16 copies of the same weights).
            weights += Directory.EnumerateFiles(dir, "*.safetensors").Select(f => new FileInfo(f).Length).DefaultIfEmpty(0).Max();
        }
        // Classifier-free guidance doubles the UNet batch; ~64 bytes of activations per pixel per image is what
        // SD 1.x at 512 px needs with memory-efficient attention, within a factor of two.
        long activations = 2L * config.BatchSize * config.Width * config.Height * 64;
        return new ByteSize(weights + activations + (64L << 20));
    }
}
