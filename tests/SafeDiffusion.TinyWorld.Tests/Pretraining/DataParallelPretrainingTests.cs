using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Pretraining;
using TorchSharp;
using Xunit.Sdk;
using static TorchSharp.torch;
using SafeDiffusion.TinyWorld.Tests.Support;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

/// <summary>Pretraining on two replicas (one thread each, half of every batch) trains the same weights as one model.</summary>
[Collection(GlobalTorchStateCollection.Name)]
public sealed class DataParallelPretrainingTests
{
    public DataParallelPretrainingTests() => LibTorchRuntime.EnsureLoadable();

    /// <summary>A fresh module holding <paramref name="source"/>'s weights (the global torch seed is shared with tests running alongside).</summary>
    private static T CopyOf<T>(T source, Func<T> construct) where T : nn.Module
    {
        var copy = construct();
        using var noGrad = torch.no_grad();
        foreach (var (c, s) in copy.parameters().Zip(source.parameters())) c.copy_(s);
        return copy;
    }

    private static void AssertSameWeights(nn.Module expected, nn.Module actual, double tolerance)
    {
        var a = expected.named_parameters().ToList();
        var b = actual.named_parameters().ToList();
        Assert.Equal(a.Select(p => p.name), b.Select(p => p.name));
        double worst = a.Zip(b).Max(p => (p.First.parameter - p.Second.parameter).abs().max().item<float>());
        Assert.True(worst <= tolerance, $"largest weight difference {worst}");
    }

    /// <summary>
    /// The same weights as the optimizer allows. Muon's orthogonalised steps keep rounding noise small: every weight
    /// within 1e-4. AdamW divides a gradient by its own running size, so where a gradient is rounding noise around zero
    /// (a bias just before a GroupNorm) two summation orders can move a weight by whole steps of the learning rate in
    /// opposite directions: those weights may differ by up to two rates a step, and must be rare (at most 1 in 1,000);
    /// every other weight agrees within 1e-4.
    /// </summary>
    private static void AssertSameTraining(nn.Module expected, nn.Module actual, PretrainingOptimizerKind optimizer, int steps, double learningRate)
    {
        if (optimizer != PretrainingOptimizerKind.AdamW)
        {
            AssertSameWeights(expected, actual, 1e-4);
            return;
        }
        var pairs = expected.named_parameters().Zip(actual.named_parameters()).ToList();
        Assert.Equal(pairs.Select(p => p.First.name), pairs.Select(p => p.Second.name));
        long total = 0, apart = 0;
        double worst = 0;
        foreach (var (e, a) in pairs)
        {
            using var difference = (e.parameter - a.parameter).abs();
            total += difference.numel();
            apart += (difference > 1e-4).sum().item<long>();
            worst = Math.Max(worst, difference.max().item<float>());
        }
        Assert.True(worst <= 2 * steps * learningRate, $"largest weight difference {worst}, more than two rates a step");
        Assert.True(apart * 1000 <= total, $"{apart} of {total} weights differ by more than 1e-4");
    }

    /// <summary>
    /// Runs both trainings with the calling thread on one torch thread, as each replica is. AdamW turns rounding noise
    /// in near-zero gradients (a bias just before a GroupNorm) into whole steps of the learning rate, so the single copy
    /// must add its products up as the replicas do; the count earlier tests leave behind differs from run to run.
    /// </summary>
    private static T OnOneTorchThread<T>(Func<T> work)
    {
        int before = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            return work();
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Theory]
    [InlineData(PretrainingOptimizerKind.AdamW)]
    [InlineData(PretrainingOptimizerKind.Muon)]
    public void The_denoiser_trained_on_two_replicas_matches_the_one_trained_on_one(PretrainingOptimizerKind optimizer)
    {
        using var generator = new Generator(5);
        using var latents = torch.randn([16, 4, 16, 16], generator: generator);
        using var ids = torch.randint(0, 700, [16, 32], ScalarType.Int64, generator: generator);
        using var emptyIds = torch.zeros(32, ScalarType.Int64);
        var options = new DenoiserPretrainingOptions { Steps = 3, BatchSize = 8, WarmupSteps = 1, LearningRate = 1e-3, Optimizer = optimizer };
        using var ddpm = new DdpmScheduler(TinyModelConfigs.Scheduler());

        using var initialUnet = FreshModules.Create(1, () => new UNet2DConditionModel(TinyModelConfigs.Unet()));
        using var initialText = FreshModules.Create(2, () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));

        (UNet2DConditionModel Unet, CLIPTextModel Text) Train(int replicas)
        {
            var unet = CopyOf(initialUnet, () => new UNet2DConditionModel(TinyModelConfigs.Unet()));
            var text = CopyOf(initialText, () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));
            DenoiserPretrainer.Train(unet, text, ddpm.Schedule, latents, ids, emptyIds, options, 9, NullProgressSink.Instance, default, replicas);
            return (unet, text);
        }

        var (one, two) = OnOneTorchThread(() => (Train(1), Train(2)));

        AssertSameWeights(one.Unet, two.Unet, 1e-4);
        AssertSameWeights(one.Text, two.Text, 1e-4);
        Assert.Throws<TrueException>(() => AssertSameWeights(initialUnet, two.Unet, 1e-4));
        foreach (var m in new nn.Module[] { one.Unet, one.Text, two.Unet, two.Text }) m.Dispose();
    }

    [Theory]
    [InlineData(PretrainingOptimizerKind.AdamW)]
    [InlineData(PretrainingOptimizerKind.Muon)]
    public void The_vae_trained_on_two_replicas_matches_the_one_trained_on_one(PretrainingOptimizerKind optimizer)
    {
        using var generator = new Generator(6);
        using var pixels = torch.rand([16, 3, 32, 32], generator: generator) * 2 - 1;
        var options = new VaePretrainingOptions { Steps = 3, BatchSize = 8, WarmupSteps = 1, Optimizer = optimizer };

        using var initial = FreshModules.Create(3, () => new AutoencoderKL(TinyModelConfigs.Vae()));

        AutoencoderKL Train(int replicas)
        {
            var vae = CopyOf(initial, () => new AutoencoderKL(TinyModelConfigs.Vae()));
            VaePretrainer.Train(vae, pixels, options, 9, NullProgressSink.Instance, default, replicas);
            return vae;
        }

        var (one, two) = OnOneTorchThread(() => (Train(1), Train(2)));
        using var _ = one;
        using var __ = two;

        AssertSameWeights(one, two, 1e-4);
        Assert.Throws<TrueException>(() => AssertSameWeights(initial, two, 1e-4));
    }
}
