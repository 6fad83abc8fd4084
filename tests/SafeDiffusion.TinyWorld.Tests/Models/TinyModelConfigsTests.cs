using System.Diagnostics;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Tests.Models;

[Collection(GlobalTorchStateCollection.Name)]
public sealed class TinyModelConfigsTests
{
    private readonly ITestOutputHelper _output;

    public TinyModelConfigsTests(ITestOutputHelper output)
    {
        _output = output;
        LibTorchRuntime.EnsureLoadable();
    }

    [Fact]
    public void The_shipped_config_files_are_the_embedded_ones()
    {
        foreach (var file in new[] { TinyModelConfigs.TextEncoderFile, TinyModelConfigs.VaeFile, TinyModelConfigs.UnetFile, TinyModelConfigs.SchedulerFile })
            Assert.Equal(File.ReadAllText(Support.RepositoryRoot.Path("configs", "tiny-models", file)), TinyModelConfigs.Text(file));
    }

    [Fact]
    public void The_configs_fit_together_and_pass_the_component_records_checks()
    {
        var text = TinyModelConfigs.TextEncoder();
        var vae = TinyModelConfigs.Vae();
        var unet = TinyModelConfigs.Unet();
        text.Validate("text_encoder.json");
        vae.Validate("vae.json");
        unet.Validate("unet.json");

        Assert.All(unet.CrossAttentionDim.Expand(unet.BlockCount), d => Assert.Equal(text.HiddenSize, d));
        Assert.Equal(vae.LatentChannels, unet.InChannels);
        Assert.Equal(vae.LatentChannels, unet.OutChannels);
        int imageSize = new TinyWorldConfig().ImageSize;
        Assert.Equal(imageSize, vae.SampleSize.Values[0]);
        Assert.Equal(imageSize / vae.DownscaleFactor, unet.SampleSize);
        // The UNet halves the latent once per down block but the last: it must divide evenly.
        Assert.Equal(0, unet.SampleSize!.Value % (1 << (unet.BlockCount - 1)));
        Assert.Equal(77, text.MaxPositionEmbeddings);

        var scheduler = TinyModelConfigs.Scheduler();
        Assert.Equal("PNDMScheduler", scheduler.ClassName);
        Assert.Equal(1000, scheduler.NumTrainTimesteps);
        Assert.Equal("epsilon", scheduler.PredictionType);
    }

    [Fact]
    public void The_tiny_components_build_and_run_at_the_world_size()
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(2);
        try
        {
            torch.manual_seed(0);
            using var scope = torch.NewDisposeScope();
            using var text = new CLIPTextModel(TinyModelConfigs.TextEncoder());
            using var vae = new AutoencoderKL(TinyModelConfigs.Vae());
            using var unet = new UNet2DConditionModel(TinyModelConfigs.Unet());
            var ids = torch.randint(0, TinyModelConfigs.TextEncoder().VocabSize, [4, 77], ScalarType.Int64);
            var images = torch.rand(4, 3, 32, 32) * 2 - 1;

            var clock = Stopwatch.StartNew();
            using var noGrad = torch.no_grad();
            var context = text.Encode(ids);
            using var posterior = vae.Encode(images);
            var latents = posterior.Sample();
            var noise = unet.Forward(latents, torch.tensor(new long[] { 999, 500, 10, 0 }), context);
            var decoded = vae.Decode(latents);
            clock.Stop();

            Assert.Equal(new long[] { 4, 77, 64 }, context.shape);
            // 32x32 renders become 16x16x4 latents: at 8x8 the VAE blurred the small shapes beyond recognition.
            Assert.Equal(new long[] { 4, 4, 16, 16 }, latents.shape);
            Assert.Equal(latents.shape, noise.shape);
            Assert.Equal(images.shape, decoded.shape);
            long Count(nn.Module m) => m.parameters().Sum(p => p.numel());
            _output.WriteLine($"text encoder {Count(text):N0} parameters, VAE {Count(vae):N0}, UNet {Count(unet):N0}; " +
                              $"one forward of each at batch 4 on 2 threads: {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    [Fact]
    public void The_configs_are_written_in_the_diffusers_folder_layout()
    {
        using var temp = new TempDirectory("tiny-models");
        TinyModelConfigs.WriteDiffusersLayout(temp.Path);
        static string Json<T>(T config) => System.Text.Json.JsonSerializer.Serialize(config, Diffusion.ModelFolder.ComponentConfig.Json);
        Assert.Equal(Json(TinyModelConfigs.Unet()), Json(UNet2DConditionConfig.Read(temp.File("unet", "config.json"))));
        Assert.Equal(Json(TinyModelConfigs.Vae()), Json(AutoencoderKLConfig.Read(temp.File("vae", "config.json"))));
        Assert.Equal(TinyModelConfigs.TextEncoder(), Diffusion.ModelFolder.ComponentConfig.Read<CLIPTextConfig>(temp.File("text_encoder", "config.json")));
        Assert.Equal(1000, SchedulerConfig.Read(temp.File("scheduler", "scheduler_config.json")).NumTrainTimesteps);
    }
}
