using System.Globalization;
using SafeDiffusion.Diffusion.Benchmarks;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.Tokenization;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>
/// Seconds per image of SD 1.4-size txt2img end to end (tokenize, encode, the denoising steps with guidance 7.5,
/// VAE decode, RGB8), random weights, one image per batch, in the device's timed type; the VAE upcast to float32
/// under float16 as the images stage does. SD 1.4's tokenizer has the CLIP vocabulary the tiny-sd1 set carries, so
/// that set's tokenizer is used.
/// </summary>
internal sealed class Txt2ImgTimeCheck : IDoctorCheck
{
    public string Name => "txt2img SD 1.4 size";

    public IEnumerable<DoctorRow> Run(DoctorContext context, CancellationToken cancellationToken)
    {
        var type = context.Device.TimedType;
        var device = context.Device.Torch;
        var (tinyModel, _) = HalfPrecisionParityCheck.Folders(context.ParitySets, "tiny-sd1");
        var tokenizer = ClipTokenizer.FromFolder(Path.Combine(tinyModel, StableDiffusionComponents.Tokenizer));
        var vaeType = StableDiffusionModels.VaeType(type, FullSizeSd14.VaeConfig());
        var schedulerConfig = FullSizeSd14.Scheduler();
        TimingStatistics timing;
        using (var unet = FullSizeSd14.Unet(type, device))
        using (var vae = FullSizeSd14.Vae(vaeType, device))
        using (var text = new ClipTextConditioner(tokenizer, new ClipTextEncoder(FullSizeSd14.TextEncoder(type, device), device)))
        {
            var sampler = new StableDiffusionSampler(unet, vae, () => SchedulerFactory.FromConfig(schedulerConfig));
            var options = new Txt2ImgOptions { Width = context.Size, Height = context.Size, Steps = context.Steps, GuidanceScale = 7.5, BatchSize = 1 };
            var prompts = new[] { new Txt2ImgPrompt(Txt2ImgBenchmark.Prompt, 0) };
            timing = BenchmarkTimer.Measure(() => sampler.Generate(text, prompts, options, cancellationToken).ToList(),
                context.Warmup, context.Iterations, device, cancellationToken);
        }
        yield return new DoctorRow(Name, $"s per image at {context.Size} px, {context.Steps} steps", DoctorDevice.TypeName(type),
            Seconds(timing.Median), $"median of {context.Iterations} after {context.Warmup} warm-up", DoctorOutcome.Measured,
            $"min {Seconds(timing.Min)}, max {Seconds(timing.Max)}; VAE in {DoctorDevice.TypeName(vaeType)}");
    }

    private static string Seconds(double ms) => (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
