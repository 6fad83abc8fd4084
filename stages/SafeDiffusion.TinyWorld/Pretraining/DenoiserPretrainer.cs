using System.Diagnostics;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.TinyWorld.Optimization;
using SafeDiffusion.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Trains a UNet and its CLIP text encoder together with the plain diffusion loss: a random batch of precomputed
/// (scaled) latents and caption tokens, a share of captions dropped to the empty caption, Gaussian noise added at
/// random timesteps of the DDPM schedule (logit-normal by default, <see cref="TimestepSampling"/>), and the MSE between the UNet's prediction and the noise (weighted
/// per sample by Min-SNR-gamma and per latent pixel by what it shows) back-propagated through the UNet and the text encoder's forward pass alike. One
/// AdamW over both (or Muon for their inner matrices, <see cref="PretrainingOptimizer"/>), warm-up then cosine decay, clipping over both; optionally representation alignment
/// (<see cref="RepresentationProjector"/>), and a step whose loss or gradients are not finite is dropped. The training engine's <c>DiffusionTrainer</c> keeps the text encoder frozen,
/// which is right for fine-tuning but not for building a model from scratch, hence this loop.
/// </summary>
public static class DenoiserPretrainer
{
    /// <param name="latents">[N, C, h, w] latents already multiplied by the VAE's scaling factor.</param>
    /// <param name="ids">int64 [N, T] token ids of each latent's caption.</param>
    /// <param name="emptyIds">int64 [T] token ids of the empty caption.</param>
    /// <param name="replicas">Copies that share each batch, one thread each (<see cref="DataParallelReplicas{TReplica}"/>).</param>
    /// <param name="pixelWeights">[N, 1, h, w] loss weight of each latent pixel (<see cref="ObjectLossWeights"/>); null weighs all alike.</param>
    /// <param name="teacherFeatures">[N, C, h', w'] what a vision model sees at each cell of each clean image, on the grid where the
    /// UNet's down path ends; with <see cref="DenoiserPretrainingOptions.AlignmentWeight"/> above 0 the UNet's hidden state there is
    /// aligned with it (<see cref="RepresentationProjector"/>). Null trains without alignment.</param>
    public static DenoiserTrainingReport Train(UNet2DConditionModel unet, CLIPTextModel textEncoder, NoiseSchedule schedule, Tensor latents, Tensor ids,
        Tensor emptyIds, DenoiserPretrainingOptions options, long seed, IProgressSink progress, CancellationToken ct, int replicas = 1, Tensor? pixelWeights = null,
        Tensor? teacherFeatures = null)
    {
        if (latents.shape[0] != ids.shape[0]) throw new ArgumentException($"{latents.shape[0]} latents but {ids.shape[0]} captions.", nameof(ids));
        if (pixelWeights is not null && (pixelWeights.shape[0] != latents.shape[0] || pixelWeights.shape[2] != latents.shape[2] || pixelWeights.shape[3] != latents.shape[3]))
            throw new ArgumentException($"pixel weights [{string.Join(", ", pixelWeights.shape)}] do not match latents [{string.Join(", ", latents.shape)}].", nameof(pixelWeights));
        if (teacherFeatures is not null && teacherFeatures.shape[0] != latents.shape[0])
            throw new ArgumentException($"{latents.shape[0]} latents but {teacherFeatures.shape[0]} teacher feature maps.", nameof(teacherFeatures));
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        var clock = Stopwatch.StartNew();
        bool align = teacherFeatures is not null && options.AlignmentWeight > 0;
        long unetChannels = unet.Config.BlockOutChannels[^1];
        using var projector = align ? new RepresentationProjector(unetChannels, options.AlignmentHiddenChannels, teacherFeatures!.shape[1]) : null;
        var parameters = unet.named_parameters().Select(p => (Name: "unet." + p.name, Parameter: p.parameter))
            .Concat(textEncoder.named_parameters().Select(p => (Name: "text_encoder." + p.name, Parameter: p.parameter)))
            .Concat(projector?.named_parameters().Select(p => (Name: "projector." + p.name, Parameter: p.parameter)) ?? []).ToList();
        using var optimizer = new PretrainingOptimizer(parameters, options.Optimizer, options.MuonRateFactor, AdamWPrefixes);
        using var ema = options.EmaDecay > 0 ? new WeightAverage(parameters.Select(p => p.Parameter).ToList(), options.EmaDecay) : null;
        var rates = new LearningRateSchedule(options.LearningRate, LearningRateScheduleKind.Cosine, options.WarmupSteps, options.Steps);
        using var generator = new Generator(unchecked((ulong)seed));
        long n = latents.shape[0];
        long batchSize = Math.Min(options.BatchSize, n);
        using var copies = new DataParallelReplicas<Denoiser>(new Denoiser(unet, textEncoder, projector),
            () => Denoiser.CopyOf(unet, textEncoder, projector),
            d => d.Parameters(), (int)Math.Min(replicas, batchSize), d => d.Dispose());
        var weights = copies.ShareWeights(batchSize);
        var tail = new RunningMean(Math.Max(1, options.Steps / 10));
        var alignmentTail = new RunningMean(Math.Max(1, options.Steps / 10));
        int skipped = 0, maxSkipped = Math.Max(3, options.Steps / 100);
        unet.train();
        textEncoder.train();
        projector?.train();
        using (var task = progress.Start("pretrain tiny UNet + text encoder", options.Steps, "steps"))
        {
            for (int step = 0; step < options.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                // Every random draw of the step is made here, for the whole batch, so the replicas only split the work.
                var index = randint(0, n, [batchSize], ScalarType.Int64, CPU, generator: generator);
                var clean = latents.index_select(0, index);
                var tokens = CaptionDropout.Apply(ids.index_select(0, index), emptyIds, options.CaptionDropout, generator);
                var noise = randn(clean.shape, ScalarType.Float32, CPU, generator: generator);
                var timesteps = Timesteps(options, schedule.NumTrainTimesteps, batchSize, generator);
                var noisy = schedule.AddNoise(clean, noise, timesteps);
                var weightMap = pixelWeights?.index_select(0, index);
                var teacher = align ? teacherFeatures!.index_select(0, index) : null;
                var losses = copies.Run((replica, r) =>
                {
                    var (start, length) = copies.Share(r, batchSize);
                    using var replicaScope = NewDisposeScope();
                    var t = timesteps.narrow(0, start, length);
                    using var text = replica.TextEncoder.forward(tokens.narrow(0, start, length));
                    Tensor prediction, alignment;
                    if (teacher is not null)
                    {
                        var (p, hidden) = replica.Unet.ForwardWithEncoderOutput(noisy.narrow(0, start, length), t, text.LastHiddenState);
                        prediction = p;
                        alignment = replica.Projector!.Loss(hidden, teacher.narrow(0, start, length));
                    }
                    else
                    {
                        prediction = replica.Unet.Forward(noisy.narrow(0, start, length), t, text.LastHiddenState);
                        alignment = zeros(1);
                    }
                    var target = noise.narrow(0, start, length);
                    var squared = (prediction - target).pow(2);
                    if (weightMap is not null) squared = squared * weightMap.narrow(0, start, length);
                    var loss = options.MinSnrGamma > 0
                        ? (MinSnrWeights(schedule, t, options.MinSnrGamma) * squared.mean([1, 2, 3])).mean()
                        : squared.mean();
                    var total = teacher is not null ? loss + options.AlignmentWeight * alignment : loss;
                    total.backward();
                    return (Denoising: (double)loss.item<float>(), Alignment: (double)alignment.item<float>());
                });
                copies.ReduceGradients(weights);
                double norm = GradientClipping.ClipByTotalNorm(parameters.Select(p => p.Parameter), options.MaxGradNorm);
                double value = losses.Zip(weights).Sum(p => p.First.Denoising * p.Second);
                double alignmentValue = losses.Zip(weights).Sum(p => p.First.Alignment * p.Second);
                if (!double.IsFinite(norm) || !double.IsFinite(value))
                {
                    // As a mixed-precision loss scaler does: the step is dropped and the weights stay as they were;
                    // applied, such a step turns every weight into NaN. Such steps came from libtorch's wrong input
                    // gradient of the UNet's 4-channel output convolution (ChannelBlockConvolution) until that was
                    // worked around; a step can still overflow at a learning rate too high. The replicas take the
                    // primary's weights again in case the fault was in theirs.
                    copies.ZeroGradients();
                    copies.CopyPrimaryWeights();
                    skipped++;
                    if (skipped > maxSkipped)
                        throw new PipelineException(string.Create(CultureInfo.InvariantCulture,
                            $"UNet pretraining diverged: {skipped} of {step + 1} steps had a loss or gradients that were not finite (the last: loss {value}, gradient norm {norm}); lower world.pretraining.denoiser.learningRate."));
                    task.Increment();
                    continue;
                }
                optimizer.Step(rates.RateAt(step), copies);
                copies.ZeroGradients();
                copies.CopyPrimaryWeights();
                ema?.Update(step);

                tail.Add(value, norm);
                alignmentTail.Add(alignmentValue, 0);
                task.Increment();
                if (step % 10 == 9 || step == options.Steps - 1)
                    task.SetStatus(string.Create(CultureInfo.InvariantCulture,
                        $"loss {tail.First:F4}{(align ? $" alignment {alignmentTail.First:F3}" : "")} grad norm {tail.Second:F2}"));
            }
        }
        ema?.CopyInto();
        unet.eval();
        textEncoder.eval();
        return new DenoiserTrainingReport(options.Steps, tail.First, clock.Elapsed.TotalSeconds, align ? alignmentTail.First : null, skipped);
    }

    /// <summary>
    /// Matrices that stay with AdamW under Muon: the UNet's first and last convolutions map to and from the latent
    /// channels, the text encoder's embeddings are look-up tables, and the projector is trained here only.
    /// </summary>
    internal static readonly IReadOnlyList<string> AdamWPrefixes = ["unet.conv_in.", "unet.conv_out.", "text_encoder.text_model.embeddings.", "projector."];

    /// <summary>int64 [count] training timesteps in 0 .. numTrainTimesteps - 1, drawn as <paramref name="options"/> say.</summary>
    internal static Tensor Timesteps(DenoiserPretrainingOptions options, int numTrainTimesteps, long count, Generator generator) =>
        options.TimestepSampling switch
        {
            TimestepSampling.Uniform => randint(0, numTrainTimesteps, [count], ScalarType.Int64, CPU, generator: generator),
            TimestepSampling.LogitNormal => (sigmoid(randn([count], ScalarType.Float32, CPU, generator: generator) * options.TimestepLogitStd + options.TimestepLogitMean)
                * numTrainTimesteps).floor().clamp(0, numTrainTimesteps - 1).to(ScalarType.Int64),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.TimestepSampling, "unknown timestep sampling."),
        };

    /// <summary>min(SNR(t), gamma) / SNR(t) per timestep, with SNR(t) = alpha_bar_t / (1 - alpha_bar_t): the epsilon-loss weights of Min-SNR-gamma.</summary>
    internal static Tensor MinSnrWeights(NoiseSchedule schedule, Tensor timesteps, double gamma)
    {
        var alphaBar = schedule.AlphasCumprod.index_select(0, timesteps);
        var snr = alphaBar / (1 - alphaBar);
        return snr.clamp_max(gamma) / snr;
    }

    /// <summary>One copy of what the denoiser pretraining trains.</summary>
    private sealed record Denoiser(UNet2DConditionModel Unet, CLIPTextModel TextEncoder, RepresentationProjector? Projector) : IDisposable
    {
        /// <summary>Modules of the same architecture in training mode; the replicas copy the weights in.</summary>
        public static Denoiser CopyOf(UNet2DConditionModel unet, CLIPTextModel textEncoder, RepresentationProjector? projector)
        {
            var copy = new Denoiser(new UNet2DConditionModel(unet.Config), new CLIPTextModel(textEncoder.Config),
                projector is null ? null : new RepresentationProjector(projector.InChannels, projector.HiddenChannels, projector.OutChannels));
            copy.Unet.train();
            copy.TextEncoder.train();
            copy.Projector?.train();
            return copy;
        }

        public IEnumerable<TorchSharp.Modules.Parameter> Parameters() =>
            Unet.parameters().Concat(TextEncoder.parameters()).Concat(Projector?.parameters() ?? []);

        public void Dispose()
        {
            Unet.Dispose();
            TextEncoder.Dispose();
            Projector?.Dispose();
        }
    }
}
