using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Benchmarks;

/// <summary>
/// Time per image of the sampling loop (scheduler steps with guidance, VAE decode, RGB8 conversion) for a batch,
/// from fixed random text embeddings: text encoding runs once per prompt and is not part of the figure.
/// </summary>
public static class Txt2ImgBenchmark
{
    public static BenchmarkResult Run(BenchmarkSettings settings, CancellationToken cancellationToken = default)
    {
        settings.Validate();
        LibTorchRuntime.EnsureLoadable();
        using var models = StableDiffusionModels.Load(settings.ModelDirectory, settings.DType, settings.Device);
        var sampler = models.CreateSampler(settings.Scheduler);
        var options = new Txt2ImgOptions
        {
            Width = settings.Size,
            Height = settings.Size,
            Steps = settings.Steps,
            GuidanceScale = settings.GuidanceScale,
            BatchSize = settings.Batch,
        };
        using var inputs = NewDisposeScope();
        using var generator = new Generator(0);
        long[] shape = [settings.Batch, 77, models.Unet.Config.CrossAttentionDim.Values[0]];
        var prompts = randn(shape, generator: generator);
        var negative = randn(shape, generator: generator);
        var seeds = Enumerable.Range(0, settings.Batch).Select(i => (long)i).ToList();
        var timing = BenchmarkTimer.Measure(() =>
        {
            using var batch = sampler.Sample(prompts, options.UsesGuidance ? negative : null, seeds, options, cancellationToken);
        }, settings.Warmup, settings.Iterations, settings.Device, cancellationToken);
        return new BenchmarkResult("txt2img", "ms per image", timing.Per(settings.Batch), PeakMemory.Read(), settings);
    }
}
