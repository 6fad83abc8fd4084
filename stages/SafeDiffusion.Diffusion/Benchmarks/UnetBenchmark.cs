using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Benchmarks;

/// <summary>Time of one UNet forward pass on a batch of random latents and text embeddings.</summary>
public static class UnetBenchmark
{
    public static BenchmarkResult Run(BenchmarkSettings settings, CancellationToken cancellationToken = default)
    {
        settings.Validate();
        LibTorchRuntime.EnsureLoadable();
        var factor = AutoencoderKLConfig.Read(Path.Combine(settings.ModelDirectory, "vae", "config.json")).DownscaleFactor;
        using var unet = UNet2DConditionModel.FromFolder(Path.Combine(settings.ModelDirectory, "unet"), settings.DType, settings.Device);
        using var noGrad = no_grad();
        using var inputs = NewDisposeScope();
        using var generator = new Generator(0);
        long latent = settings.Size / factor;
        var sample = randn([settings.Batch, unet.Config.InChannels, latent, latent], generator: generator).to(settings.DType, settings.Device);
        var context = randn([settings.Batch, 77, unet.Config.CrossAttentionDim.Values[0]], generator: generator).to(settings.DType, settings.Device);
        var timing = BenchmarkTimer.Measure(() => unet.Forward(sample, 500.0, context), settings.Warmup, settings.Iterations, settings.Device, cancellationToken);
        return new BenchmarkResult("unet", "ms per UNet call", timing, PeakMemory.Read(), settings);
    }
}
