using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Benchmarks;

/// <summary>
/// Time per image of text-to-image generation end to end for one batch: tokenizing and encoding the prompts,
/// the scheduler steps with guidance, VAE decode and conversion to RGB8.
/// </summary>
public static class Txt2ImgBenchmark
{
    public const string Prompt = "a photo of an astronaut riding a horse on mars";

    public static BenchmarkResult Run(BenchmarkSettings settings, CancellationToken cancellationToken = default)
    {
        settings.Validate();
        LibTorchRuntime.EnsureLoadable();
        using var models = StableDiffusionModels.Load(settings.ModelDirectory, settings.DType, settings.Device);
        using var text = ClipTextConditioner.FromModelFolder(settings.ModelDirectory, settings.DType, settings.Device);
        var sampler = models.CreateSampler(settings.Scheduler);
        var options = new Txt2ImgOptions
        {
            Width = settings.Size,
            Height = settings.Size,
            Steps = settings.Steps,
            GuidanceScale = settings.GuidanceScale,
            BatchSize = settings.Batch,
        };
        var prompts = Enumerable.Range(0, settings.Batch).Select(i => new Txt2ImgPrompt(Prompt, i)).ToList();
        var timing = BenchmarkTimer.Measure(() => sampler.Generate(text, prompts, options, cancellationToken).ToList(),
            settings.Warmup, settings.Iterations, settings.Device, cancellationToken);
        return new BenchmarkResult("txt2img", "ms per image", timing.Per(settings.Batch), PeakMemory.Read(), settings);
    }
}
