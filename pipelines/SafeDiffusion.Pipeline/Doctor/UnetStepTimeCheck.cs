using System.Globalization;
using SafeDiffusion.Diffusion.Benchmarks;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>
/// Milliseconds of one denoising step of SD 1.4-size txt2img: one UNet call on a batch of 2 (an image's conditional
/// and unconditional halves under classifier-free guidance), random weights, in the device's timed type.
/// </summary>
internal sealed class UnetStepTimeCheck : IDoctorCheck
{
    /// <summary>Latents of one image with guidance: the conditional and the unconditional copy.</summary>
    public const int Batch = 2;

    public string Name => "unet SD 1.4 size";

    public IEnumerable<DoctorRow> Run(DoctorContext context, CancellationToken cancellationToken)
    {
        var type = context.Device.TimedType;
        var device = context.Device.Torch;
        TimingStatistics timing;
        using (var unet = FullSizeSd14.Unet(type, device))
        using (var noGrad = no_grad())
        using (var inputs = NewDisposeScope())
        using (var generator = new Generator(0))
        {
            long latent = context.Size / FullSizeSd14.VaeConfig().DownscaleFactor;
            var sample = randn([Batch, unet.Config.InChannels, latent, latent], generator: generator).to(type, device);
            var text = randn([Batch, 77, unet.Config.CrossAttentionDim.Values[0]], generator: generator).to(type, device);
            timing = BenchmarkTimer.Measure(() => unet.Forward(sample, 500.0, text), context.Warmup, context.Iterations, device, cancellationToken);
        }
        yield return new DoctorRow(Name, $"ms per step at {context.Size} px (UNet batch {Batch})", DoctorDevice.TypeName(type),
            timing.Median.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
            $"median of {context.Iterations} after {context.Warmup} warm-up", DoctorOutcome.Measured,
            $"min {Ms(timing.Min)}, max {Ms(timing.Max)}");
    }

    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}
