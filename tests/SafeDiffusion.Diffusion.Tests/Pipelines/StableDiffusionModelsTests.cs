using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Pipelines;

public class StableDiffusionModelsTests
{
    private readonly ITestOutputHelper _output;

    public StableDiffusionModelsTests(ITestOutputHelper output)
    {
        LibTorchRuntime.EnsureLoadable();
        _output = output;
    }

    [Fact]
    public void Float16_keeps_the_vae_in_float32_when_its_config_forces_upcast()
    {
        using var models = StableDiffusionModels.Load(SdParity.Model(SdParity.Sd1), ScalarType.Float16, CPU);

        Assert.Equal(ScalarType.Float16, models.Unet.DType);
        Assert.True(models.Vae.Config.ForceUpcast);
        Assert.Equal(ScalarType.Float32, models.Vae.DType);
    }

    [Fact]
    public void Sampling_with_bfloat16_models_keeps_float32_latents_and_stays_close_to_float32_sampling()
    {
        using var scope = NewDisposeScope();
        var options = new Txt2ImgOptions { Width = 64, Height = 64, Steps = 2, GuidanceScale = 7.5 };
        using var generator = new TorchSharp.torch.Generator(3);
        var prompt = randn([1, 77, 32], generator: generator);
        var negative = randn([1, 77, 32], generator: generator);

        using var full = StableDiffusionModels.Load(SdParity.Model(SdParity.Sd1), ScalarType.Float32, CPU);
        using var half = StableDiffusionModels.Load(SdParity.Model(SdParity.Sd1), ScalarType.BFloat16, CPU);
        using var reference = full.CreateSampler("ddim").Sample(prompt, negative, [9], options);
        using var reduced = half.CreateSampler("ddim").Sample(prompt, negative, [9], options);

        Assert.Equal(ScalarType.Float32, reduced.Latents.dtype);
        Assert.Equal(ScalarType.Float32, reduced.Pixels.dtype);
        // Guidance 7.5 amplifies bfloat16's rounding of the two noise predictions; on average pixels stay within 2%.
        double difference = (reduced.Pixels - reference.Pixels).abs().mean().item<float>();
        _output.WriteLine($"mean pixel difference bfloat16 vs float32: {difference:E3}");
        Assert.True(difference < 0.02, $"bfloat16 sampling differs from float32 by {difference} on average");
    }
}
