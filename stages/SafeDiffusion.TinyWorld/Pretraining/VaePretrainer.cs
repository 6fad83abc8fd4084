using System.Diagnostics;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Trains an <see cref="AutoencoderKL"/> to reconstruct renders: each step encodes a random batch, decodes a sample
/// of the posterior, and minimises the L1 reconstruction error plus a small KL term, with AdamW, warm-up then
/// cosine decay, and gradient clipping at norm 1. Batches and posterior noise come from a generator seeded by
/// <paramref name="seed"/>, so the same inputs train the same weights.
/// </summary>
public static class VaePretrainer
{
    /// <param name="pixels">[N, 3, H, W] in [-1, 1].</param>
    public static VaeTrainingReport Train(AutoencoderKL vae, Tensor pixels, VaePretrainingOptions options, long seed, IProgressSink progress,
        CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var parameters = vae.named_parameters().Select(p => (Name: p.name, Parameter: p.parameter)).ToList();
        if (options.InitialLogVariance is { } logVariance)
        {
            // quant_conv's output is [mean | log-variance] along channels.
            var bias = parameters.Single(p => p.Name == "quant_conv.bias").Parameter;
            using var noGrad = torch.no_grad();
            long half = bias.shape[0] / 2;
            bias.narrow(0, half, half).fill_(logVariance);
        }
        using var optimizer = new AdamW(parameters, new AdamWSettings());
        var schedule = new LearningRateSchedule(options.LearningRate, LearningRateScheduleKind.Cosine, options.WarmupSteps, options.Steps);
        using var generator = new Generator(unchecked((ulong)seed));
        long n = pixels.shape[0];
        var tail = new RunningMean(Math.Max(1, options.Steps / 10));
        vae.train();
        using (var task = progress.Start("pretrain tiny VAE", options.Steps, "steps"))
        {
            for (int step = 0; step < options.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var index = randint(0, n, [Math.Min(options.BatchSize, n)], ScalarType.Int64, CPU, generator: generator);
                var batch = pixels.index_select(0, index);
                using var posterior = vae.Encode(batch);
                var reconstruction = vae.Decode(posterior.Sample(generator));
                var l1 = (reconstruction - batch).abs().mean();
                var kl = KlDivergence(posterior);
                var loss = l1 + options.KlWeight * kl;
                loss.backward();
                GradientClipping.ClipByTotalNorm(parameters.Select(p => p.Parameter), 1.0);
                optimizer.Step(schedule.RateAt(step));
                vae.zero_grad();

                double l1Value = l1.item<float>(), klValue = kl.item<float>();
                if (!double.IsFinite(l1Value) || !double.IsFinite(klValue))
                    throw new PipelineException($"VAE pretraining diverged at step {step + 1} (L1 {l1Value}, KL {klValue}); lower world.pretraining.vae.learningRate.");
                tail.Add(l1Value, klValue);
                task.Increment();
                if (step % 10 == 9 || step == options.Steps - 1)
                    task.SetStatus(string.Create(CultureInfo.InvariantCulture, $"L1 {tail.First:F4} KL {tail.Second:F1}"));
            }
        }
        vae.eval();
        return new VaeTrainingReport(options.Steps, tail.First, tail.Second, clock.Elapsed.TotalSeconds);
    }

    /// <summary>KL(q(z|x) || N(0, I)) summed over each image's latent elements, averaged over the batch (diffusers' <c>kl()</c>).</summary>
    internal static Tensor KlDivergence(DiagonalGaussianDistribution posterior) =>
        (0.5 * (posterior.Mean.pow(2) + posterior.Var - 1.0 - posterior.LogVar)).sum([1, 2, 3]).mean();
}
