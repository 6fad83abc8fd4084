using SafeDiffusion.Testing;
using SafeDiffusion.Training.Engine;

namespace SafeDiffusion.Training.Tests.Engine;

/// <summary>
/// <see cref="ModelSizing"/>'s training estimate against the peaks <c>pipeline bench memory</c> measured at full size:
/// CPU, float32 and bf16 mixed precision, batch 1, random weights built from the released configs (docs/real-models.md, "Memory", gives the
/// commands). The estimate leaves out the process's own runtime, so each peak is taken less the runtime the same
/// command measured on the tiny model. A lease below the peak overbooks a device; one far above it keeps runs waiting
/// that would have fitted.
/// </summary>
public sealed class ModelSizingTests
{
    private static readonly TrainingParameterCounts Sd14 =
        new(PublishedParameterCounts.Sd1Unet, PublishedParameterCounts.Vae + PublishedParameterCounts.ClipVitL14TextModel);
    private static readonly TrainingParameterCounts Sd21 =
        new(PublishedParameterCounts.Sd2Unet, PublishedParameterCounts.Vae + PublishedParameterCounts.OpenClipVitH14TextModel);

    private const double Gib = 1024.0 * 1024 * 1024;
    private const double RuntimeGib = 0.25; // the tiny model's training step, configs only

    [Theory]
    [InlineData("sd14", 512, false, false, 15.59)]
    [InlineData("sd14", 512, false, true, 15.02)]
    [InlineData("sd21", 768, false, false, 17.93)]
    [InlineData("sd21", 768, false, true, 17.03)]
    [InlineData("sd14", 512, true, false, 17.20)]
    [InlineData("sd14", 512, true, true, 16.98)]
    [InlineData("sd21", 768, true, false, 18.71)]
    [InlineData("sd21", 768, true, true, 17.68)]
    public void A_step_estimate_covers_the_measured_peak_and_books_at_most_a_tenth_more(string model, int resolution, bool mixedPrecision,
        bool checkpointing, double measuredPeakGib)
    {
        var parameters = model == "sd14" ? Sd14 : Sd21;

        double estimate = ModelSizing.TrainingMemory(parameters, resolution, batchSize: 1, mixedPrecision, checkpointing).Bytes / Gib;

        double needed = measuredPeakGib - RuntimeGib;
        Assert.True(estimate >= needed, $"estimate {estimate:F2} GiB is below the measured {needed:F2} GiB");
        Assert.True(estimate <= needed * 1.10, $"estimate {estimate:F2} GiB books more than a tenth over the measured {needed:F2} GiB");
    }

    [Fact]
    public void Mixed_precision_adds_a_bfloat16_copy_of_the_unet_and_halves_the_frozen_models_and_activations()
    {
        var parameters = new TrainingParameterCounts(Unet: 1000, Frozen: 500);

        long float32 = ModelSizing.TrainingMemory(parameters, 64, 2, mixedPrecision: false).Bytes;
        long mixed = ModelSizing.TrainingMemory(parameters, 64, 2, mixedPrecision: true).Bytes;

        long activations = float32 - 1000 * 16 - 500 * 4;
        Assert.Equal(1000 * 20 + 500 * 2 + activations / 2, mixed);
    }
}
