using System.Diagnostics;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Trains a UNet and its CLIP text encoder together with the plain diffusion loss: a random batch of precomputed
/// (scaled) latents and caption tokens, a share of captions dropped to the empty caption, Gaussian noise added at
/// uniform random timesteps of the DDPM schedule, and the MSE between the UNet's prediction and the noise
/// back-propagated through the UNet and the text encoder's forward pass alike. One AdamW over both, warm-up then
/// cosine decay, clipping over both. The training engine's <c>DiffusionTrainer</c> keeps the text encoder frozen,
/// which is right for fine-tuning but not for building a model from scratch, hence this loop.
/// </summary>
public static class DenoiserPretrainer
{
    /// <param name="latents">[N, C, h, w] latents already multiplied by the VAE's scaling factor.</param>
    /// <param name="ids">int64 [N, T] token ids of each latent's caption.</param>
    /// <param name="emptyIds">int64 [T] token ids of the empty caption.</param>
    public static DenoiserTrainingReport Train(UNet2DConditionModel unet, CLIPTextModel textEncoder, NoiseSchedule schedule, Tensor latents, Tensor ids,
        Tensor emptyIds, DenoiserPretrainingOptions options, long seed, IProgressSink progress, CancellationToken ct)
    {
        if (latents.shape[0] != ids.shape[0]) throw new ArgumentException($"{latents.shape[0]} latents but {ids.shape[0]} captions.", nameof(ids));
        var clock = Stopwatch.StartNew();
        var parameters = unet.named_parameters().Select(p => (Name: "unet." + p.name, Parameter: p.parameter))
            .Concat(textEncoder.named_parameters().Select(p => (Name: "text_encoder." + p.name, Parameter: p.parameter))).ToList();
        using var optimizer = new AdamW(parameters, new AdamWSettings());
        using var ema = options.EmaDecay > 0 ? new WeightAverage(parameters.Select(p => p.Parameter).ToList(), options.EmaDecay) : null;
        var rates = new LearningRateSchedule(options.LearningRate, LearningRateScheduleKind.Cosine, options.WarmupSteps, options.Steps);
        using var generator = new Generator(unchecked((ulong)seed));
        long n = latents.shape[0];
        long batchSize = Math.Min(options.BatchSize, n);
        var tail = new RunningMean(Math.Max(1, options.Steps / 10));
        unet.train();
        textEncoder.train();
        using (var task = progress.Start("pretrain tiny UNet + text encoder", options.Steps, "steps"))
        {
            for (int step = 0; step < options.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var index = randint(0, n, [batchSize], ScalarType.Int64, CPU, generator: generator);
                var clean = latents.index_select(0, index);
                var tokens = CaptionDropout.Apply(ids.index_select(0, index), emptyIds, options.CaptionDropout, generator);
                var noise = randn(clean.shape, ScalarType.Float32, CPU, generator: generator);
                var timesteps = randint(0, schedule.NumTrainTimesteps, [batchSize], ScalarType.Int64, CPU, generator: generator);
                var noisy = schedule.AddNoise(clean, noise, timesteps);
                using var text = textEncoder.forward(tokens);
                var prediction = unet.Forward(noisy, timesteps, text.LastHiddenState);
                var loss = nn.functional.mse_loss(prediction, noise);
                loss.backward();
                double norm = GradientClipping.ClipByTotalNorm(parameters.Select(p => p.Parameter), options.MaxGradNorm);
                optimizer.Step(rates.RateAt(step));
                unet.zero_grad();
                textEncoder.zero_grad();
                ema?.Update(step);

                double value = loss.item<float>();
                if (!double.IsFinite(value))
                    throw new PipelineException($"UNet pretraining diverged at step {step + 1} (loss {value}); lower world.pretraining.denoiser.learningRate.");
                tail.Add(value, norm);
                task.Increment();
                if (step % 10 == 9 || step == options.Steps - 1)
                    task.SetStatus(string.Create(CultureInfo.InvariantCulture, $"loss {tail.First:F4} grad norm {tail.Second:F2}"));
            }
        }
        ema?.CopyInto();
        unet.eval();
        textEncoder.eval();
        return new DenoiserTrainingReport(options.Steps, tail.First, clock.Elapsed.TotalSeconds);
    }
}
