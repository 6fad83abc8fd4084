using System.Diagnostics;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.TinyWorld.Optimization;
using SafeDiffusion.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Trains an <see cref="AutoencoderKL"/> to reconstruct renders: each step encodes a random batch, decodes a sample
/// of the posterior, and minimises the L1 reconstruction error plus a small KL term, with Muon and AdamW (or AdamW
/// alone, <see cref="PretrainingOptimizer"/>), warm-up then
/// cosine decay, and gradient clipping at norm 1. Batches and posterior noise come from a generator seeded by
/// <paramref name="seed"/>, so the same inputs train the same weights.
/// </summary>
public static class VaePretrainer
{
    /// <param name="pixels">[N, 3, H, W] in [-1, 1].</param>
    /// <param name="replicas">Copies that share each batch, one thread each (<see cref="DataParallelReplicas{TReplica}"/>).</param>
    public static VaeTrainingReport Train(AutoencoderKL vae, Tensor pixels, VaePretrainingOptions options, long seed, IProgressSink progress,
        CancellationToken ct, int replicas = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
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
        using var optimizer = new PretrainingOptimizer(parameters, options.Optimizer, options.MuonRateFactor, AdamWPrefixes);
        var schedule = new LearningRateSchedule(options.LearningRate, LearningRateScheduleKind.Cosine, options.WarmupSteps, options.Steps);
        using var generator = new Generator(unchecked((ulong)seed));
        long n = pixels.shape[0];
        long batchSize = Math.Min(options.BatchSize, n);
        var latentShape = LatentShape(vae, pixels);
        vae.train();
        using var copies = new DataParallelReplicas<AutoencoderKL>(vae, () =>
        {
            var copy = new AutoencoderKL(vae.Config);
            copy.train();
            return copy;
        }, v => v.parameters(), (int)Math.Min(replicas, batchSize), v => v.Dispose());
        var weights = copies.ShareWeights(batchSize);
        var tail = new RunningMean(Math.Max(1, options.Steps / 10));
        using (var task = progress.Start("pretrain tiny VAE", options.Steps, "steps"))
        {
            for (int step = 0; step < options.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                // The batch and the posterior noise are drawn here for the whole batch, so the replicas only split the work.
                var index = randint(0, n, [batchSize], ScalarType.Int64, CPU, generator: generator);
                var batch = pixels.index_select(0, index);
                var epsilon = randn([batchSize, .. latentShape], ScalarType.Float32, CPU, generator: generator);
                var results = copies.Run((replica, r) =>
                {
                    var (start, length) = copies.Share(r, batchSize);
                    using var replicaScope = NewDisposeScope();
                    var target = batch.narrow(0, start, length);
                    using var posterior = replica.Encode(target);
                    var reconstruction = replica.Decode(posterior.Mean + posterior.Std * epsilon.narrow(0, start, length));
                    var l1 = (reconstruction - target).abs().mean();
                    var kl = KlDivergence(posterior);
                    (l1 + options.KlWeight * kl).backward();
                    return (L1: (double)l1.item<float>(), Kl: (double)kl.item<float>());
                });
                copies.ReduceGradients(weights);
                GradientClipping.ClipByTotalNorm(parameters.Select(p => p.Parameter), 1.0);
                optimizer.Step(schedule.RateAt(step), copies);
                copies.ZeroGradients();
                copies.CopyPrimaryWeights();

                double l1Value = results.Zip(weights).Sum(p => p.First.L1 * p.Second), klValue = results.Zip(weights).Sum(p => p.First.Kl * p.Second);
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

    /// <summary>
    /// Matrices that stay with AdamW under Muon: the convolutions from and to pixels and those around the latents
    /// (their channel counts are set by the images and the latent space; quant_conv also carries the log-variance's start).
    /// </summary>
    internal static readonly IReadOnlyList<string> AdamWPrefixes =
        ["encoder.conv_in.", "encoder.conv_out.", "quant_conv.", "post_quant_conv.", "decoder.conv_in.", "decoder.conv_out."];

    /// <summary>[C, h, w] of the latents of <paramref name="pixels"/>' images.</summary>
    private static long[] LatentShape(AutoencoderKL vae, Tensor pixels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var posterior = vae.Encode(pixels.narrow(0, 0, 1));
        return posterior.Mean.shape[1..];
    }

    /// <summary>KL(q(z|x) || N(0, I)) summed over each image's latent elements, averaged over the batch (diffusers' <c>kl()</c>).</summary>
    internal static Tensor KlDivergence(DiagonalGaussianDistribution posterior) =>
        (0.5 * (posterior.Mean.pow(2) + posterior.Var - 1.0 - posterior.LogVar)).sum([1, 2, 3]).mean();
}
