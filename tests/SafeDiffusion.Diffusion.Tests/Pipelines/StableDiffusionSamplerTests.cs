using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Pipelines;

public sealed class StableDiffusionSamplerTests : IDisposable
{
    private readonly UNet2DConditionModel _unet;
    private readonly AutoencoderKL _vae;
    private readonly Txt2ImgOptions _options = new() { Width = 64, Height = 64, Steps = 3, GuidanceScale = 7.5 };

    public StableDiffusionSamplerTests()
    {
        LibTorchRuntime.EnsureLoadable();
        _unet = UNet2DConditionModel.FromFolder(SdParity.Component(SdParity.Sd1, "unet"), ScalarType.Float32, CPU);
        _vae = AutoencoderKL.FromFolder(SdParity.Component(SdParity.Sd1, "vae"), ScalarType.Float32, CPU);
    }

    private StableDiffusionSampler Sampler(string scheduler) =>
        new(_unet, _vae, () => SchedulerFactory.FromModelFolder(SdParity.Model(SdParity.Sd1), scheduler));

    [Theory]
    [InlineData("pndm")]
    [InlineData("euler_a")]
    public void An_image_is_the_same_alone_or_batched_with_others(string scheduler)
    {
        using var scope = NewDisposeScope();
        var prompts = FakeTextConditioner.Embed(["a red cube", "a blue ball"]);
        var negative = FakeTextConditioner.Embed(["", ""]);
        var sampler = Sampler(scheduler);

        using var pair = sampler.Sample(prompts, negative, [11, 22], _options);
        using var alone = sampler.Sample(prompts[1..2], negative[1..2], [22], _options);

        double sameSeed = (pair.Pixels[1] - alone.Pixels[0]).abs().max().item<float>();
        double otherSeed = (pair.Pixels[0] - alone.Pixels[0]).abs().max().item<float>();
        Assert.True(sameSeed < 1e-5, $"seed 22 differs by {sameSeed} between a batch of two and a batch of one");
        Assert.True(otherSeed > 1e-2, $"seeds 11 and 22 gave nearly the same image (difference {otherSeed})");
    }

    [Fact]
    public void A_batch_split_between_cpu_threads_gives_the_images_one_thread_draws()
    {
        using var scope = NewDisposeScope();
        var prompts = FakeTextConditioner.Embed(["a red cube", "a blue ball", "a green cone"]);
        var negative = FakeTextConditioner.Embed(["", "", ""]);
        // Euler ancestral draws fresh noise every step: each share must draw it from its own images' generators.
        var sampler = Sampler("euler_a");
        var split = _options with { CpuThreads = 3, BatchSize = 3 };
        var oneThread = _options with { CpuThreads = 1, BatchSize = 3 };
        Assert.Equal(TorchThreadLimit.IsAvailable ? (3, 1) : (1, 0), sampler.CpuSplitFor(split, 3));

        using var byOne = sampler.Sample(prompts, negative, [31, 32, 33], oneThread);
        using var byThree = sampler.Sample(prompts, negative, [31, 32, 33], split);

        Assert.Equal([31L, 32, 33], byThree.Images.Select(i => i.Seed));
        Assert.Equal(byOne.Pixels.shape, byThree.Pixels.shape);
        double difference = (byOne.Pixels - byThree.Pixels).abs().max().item<float>();
        Assert.True(difference < 1e-5, $"the images differ by {difference} between one thread and three");
        double latentScale = byOne.Latents.abs().max().item<float>();
        double latentDifference = (byOne.Latents - byThree.Latents).abs().max().item<float>();
        Assert.True(latentDifference < 1e-5 * latentScale, $"the latents differ by {latentDifference} (largest {latentScale})");
    }

    [Fact]
    public void A_short_batch_keeps_the_threads_per_share_of_a_full_one()
    {
        if (!TorchThreadLimit.IsAvailable) return;
        var sampler = Sampler("pndm");
        var options = _options with { CpuThreads = 4, BatchSize = 8 };

        Assert.Equal((4, 1), sampler.CpuSplitFor(options, 8));
        // A shard's last image runs on one thread, as it did inside the full batch.
        Assert.Equal((1, 1), sampler.CpuSplitFor(options, 1));
        // Batches of 2 on 4 threads: two threads per share, even for a lone image.
        Assert.Equal((1, 2), sampler.CpuSplitFor(options with { BatchSize = 2 }, 1));
    }

    [Fact]
    public void A_thread_that_holds_one_torch_thread_draws_the_bytes_every_other_thread_draws()
    {
        if (!TorchThreadLimit.IsAvailable) return;
        // libtorch fixes a thread's count when the thread first computes, from the process-wide count of the moment:
        // a pool thread that started while pretraining held the count at one keeps one thread for good (seen in CI,
        // where one PNG of an unsharded run differed from its shard's). The split must not follow that count.
        var sampler = Sampler("ddim");
        var options = _options with { BatchSize = 2 };
        using var text = ClipTextConditioner.FromModelFolder(SdParity.Model(SdParity.Sd1), ScalarType.Float32, CPU);
        (int, int) DrawOn(int callerThreads, out byte[][] images)
        {
            (int, int) split = default;
            byte[][] drawn = [];
            var thread = new Thread(() =>
            {
                TorchThreadLimit.LimitCurrentThread(callerThreads);
                split = sampler.CpuSplitFor(options, 2);
                drawn = sampler.Generate(text, [new("a red cube", 41, ""), new("a blue ball", 42, "")], options)
                    .Select(i => i.Image.Pixels).ToArray();
            });
            thread.Start();
            thread.Join();
            images = drawn;
            return split;
        }

        var onOne = DrawOn(1, out var onOneImages);
        var onTwo = DrawOn(2, out var onTwoImages);

        Assert.Equal(onTwo, onOne);
        Assert.Equal(2, onOneImages.Length);
        Assert.Equal(onTwoImages, onOneImages);
    }

    [Fact]
    public void Starting_noise_of_a_seed_is_torch_randn_from_a_generator_seeded_with_it()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var expected = randn([1, 4, 16, 16], generator: generator);

        var noise = Sampler("pndm").InitialNoise([7, 8], _options);

        Assert.Equal([2L, 4, 16, 16], noise.shape);
        Assert.True(noise[0].unsqueeze(0).allclose(expected, rtol: 0, atol: 0));
        Assert.False(noise[1].unsqueeze(0).allclose(expected, rtol: 0, atol: 0));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Generate_gives_the_same_images_whatever_the_batch_size()
    {
        var prompts = new[] { new Txt2ImgPrompt("a cat", 1), new Txt2ImgPrompt("a dog", 2, "blurry"), new Txt2ImgPrompt("a cow", 3) };
        var text = new FakeTextConditioner();
        var sampler = Sampler("pndm");

        var oneByOne = sampler.Generate(text, prompts, _options with { BatchSize = 1 }).ToList();
        var together = sampler.Generate(text, prompts, _options with { BatchSize = 2 }).ToList();

        Assert.Equal([1L, 2, 3], oneByOne.Select(i => i.Seed));
        Assert.Equal([1L, 2, 3], together.Select(i => i.Seed));
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(64 * 64 * 3, oneByOne[i].Image.Pixels.Length);
            int maxLevelDifference = oneByOne[i].Image.Pixels.Zip(together[i].Image.Pixels).Max(p => Math.Abs(p.First - p.Second));
            Assert.True(maxLevelDifference <= 1, $"image {i} differs by {maxLevelDifference} levels");
        }
    }

    [Fact]
    public void Guidance_scale_one_skips_the_negative_pass_and_changes_the_image()
    {
        using var scope = NewDisposeScope();
        var prompts = FakeTextConditioner.Embed(["a red cube"]);
        var negative = FakeTextConditioner.Embed([""]);
        var sampler = Sampler("ddim");

        using var guided = sampler.Sample(prompts, negative, [5], _options);
        using var unguided = sampler.Sample(prompts, null, [5], _options with { GuidanceScale = 1.0 });

        Assert.True((guided.Pixels - unguided.Pixels).abs().max().item<float>() > 1e-3);
    }

    /// <summary>Deterministic stand-in embeddings per prompt text: [n, 77, 32], like tiny-sd1's text encoder.</summary>
    private sealed class FakeTextConditioner : ITextConditioner
    {
        public Tensor Encode(IReadOnlyList<string> prompts) => Embed(prompts);

        public static Tensor Embed(IReadOnlyList<string> prompts)
        {
            using var scope = NewDisposeScope();
            var rows = prompts.Select(p =>
            {
                using var g = new Generator((ulong)p.Aggregate(17, (h, c) => h * 31 + c) & 0xFFFF);
                return randn([1, 77, 32], generator: g);
            }).ToList();
            return cat(rows).MoveToOuterDisposeScope();
        }
    }

    public void Dispose()
    {
        _unet.Dispose();
        _vae.Dispose();
    }
}
