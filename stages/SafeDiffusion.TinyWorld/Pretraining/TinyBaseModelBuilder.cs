using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.TextEncoders;
using SafeDiffusion.Diffusion.Tokenization;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.TinyWorld.Caching;
using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Data;
using SafeDiffusion.TinyWorld.Models;
using SafeDiffusion.TinyWorld.Rendering;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Builds the tiny Stable Diffusion base model the tiny profile starts from: renders training pairs of the world,
/// pretrains the VAE on them and sets its latent scaling factor, pretrains the UNet and the CLIP text encoder
/// together on the pairs' latents and captions, writes a diffusers folder and checks it with the
/// <see cref="QualityGate"/>. <see cref="EnsureBuiltAsync"/> does this once per recipe through the artifact cache.
/// </summary>
public static class TinyBaseModelBuilder
{
    public const string CacheKind = "tinyworld-base-model";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// What the model is built from: the world settings that change the training pairs, the pretraining settings,
    /// and hashes of the shipped component configs and the caption vocabulary (editing either builds a new model);
    /// with representation alignment, also the recipe of the classifier whose features the UNet is aligned with.
    /// </summary>
    public static ArtifactRecipe Recipe(TinyWorldConfig world)
    {
        ArgumentNullException.ThrowIfNull(world);
        var configs = FileHash.Sha256(
            TinyModelConfigs.Text(TinyModelConfigs.TextEncoderFile), TinyModelConfigs.Text(TinyModelConfigs.VaeFile),
            TinyModelConfigs.Text(TinyModelConfigs.UnetFile), TinyModelConfigs.Text(TinyModelConfigs.SchedulerFile))[..16];
        var vocabulary = CaptionVocabulary.ContentHash;
        return ArtifactRecipe.ForWorld(CacheKind, new
        {
            world.ImageSize,
            world.Seed,
            world.HarmfulShare,
            world.HoldoutShare,
            configs,
            vocabulary,
            world.Pretraining,
            teacher = world.Pretraining.Denoiser.AlignmentWeight > 0 ? TinyWorldClassifier.Recipe(world).Key : null,
        });
    }

    /// <summary>
    /// The base model of this world from the cache, building it first when it is not there (the longest part of a first run).
    /// A model that missed its quality gate is still returned, with a warning naming the figures.
    /// </summary>
    /// <param name="classifier">The judge of the quality gate (run once, at build time).</param>
    public static async Task<TinyBaseModel> EnsureBuiltAsync(TinyWorldConfig world, TinyArtifactCache cache, TinyWorldClassifier classifier,
        IProgressSink? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(classifier);
        progress ??= NullProgressSink.Instance;
        var folder = await cache.GetOrBuildAsync(Recipe(world), (temp, token) =>
        {
            Build(world, classifier, temp, progress, token);
            return Task.CompletedTask;
        }, progress, ct).ConfigureAwait(false);
        var gate = QualityGateResult.Read(Path.Combine(folder, TinyBaseModelFolder.QualityGateFile));
        if (!gate.Passed) progress.Warn($"The tiny base model missed its quality gate: {gate.Summary}.");
        return new TinyBaseModel(folder, gate);
    }

    /// <summary>Builds the model into <paramref name="folder"/> (which should be empty) and runs the quality gate.</summary>
    public static TinyBaseModel Build(TinyWorldConfig world, TinyWorldClassifier classifier, string folder, IProgressSink? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(world);
        ArgumentNullException.ThrowIfNull(classifier);
        LibTorchRuntime.EnsureLoadable();
        progress ??= NullProgressSink.Instance;
        var options = world.Pretraining;
        int previousThreads = torch.get_num_threads();
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        torch.set_num_threads(threads);
        var wall = Stopwatch.StartNew();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        try
        {
            Directory.CreateDirectory(folder);
            TinyBaseModelFolder.WriteLayout(folder, options.TokenLength, options.Scheduler);

            var renderClock = Stopwatch.StartNew();
            using var set = PretrainingSet.Render(world, options.TrainPairs, progress, ct);
            double renderSeconds = renderClock.Elapsed.TotalSeconds;

            using var vae = FreshModules.Create(InitSeed(options, StableDiffusionComponents.Vae), () => new AutoencoderKL(TinyModelConfigs.Vae()));
            var vaeReport = VaePretrainer.Train(vae, set.Pixels, options.Vae, SeedDerivation.Derive(options.Seed, "vae"), progress, ct, replicas: threads);
            using var rawLatents = EncodeLatents(vae, set.Pixels);
            double scalingFactor = LatentScaling.Factor(rawLatents);
            using var latents = (rawLatents * scalingFactor).DetachFromDisposeScope();
            double latentMean = latents.mean().item<float>();
            TinyBaseModelFolder.WriteScalingFactor(folder, scalingFactor);
            TinyBaseModelFolder.WriteWeights(folder, StableDiffusionComponents.Vae, vae);
            var reconstruction = CheckReconstruction(vae, world, classifier, ct);
            progress.Info(string.Create(CultureInfo.InvariantCulture,
                $"Tiny VAE: L1 {vaeReport.FinalL1:F4}, KL {vaeReport.FinalKl:F1}, scaling factor {scalingFactor:F4} ({vaeReport.Seconds:F0} s); " +
                $"classifier on held-out reconstructions: harmful right {reconstruction.ReconstructedHarmfulAccuracy:P1} (renders {reconstruction.RenderHarmfulAccuracy:P1}), " +
                $"all shapes and colours {reconstruction.ReconstructedAdherence:P1} (renders {reconstruction.RenderAdherence:P1})."));

            var tokenizer = ClipTokenizer.FromFolder(Path.Combine(folder, StableDiffusionComponents.Tokenizer));
            using var ids = tokenizer.EncodeBatch(set.Captions);
            using var emptyIds = tokenizer.EncodeBatch([""]).squeeze(0);
            using var textEncoder = FreshModules.Create(InitSeed(options, StableDiffusionComponents.TextEncoder), () => new CLIPTextModel(TinyModelConfigs.TextEncoder()));
            using var unet = FreshModules.Create(InitSeed(options, StableDiffusionComponents.Unet), () => new UNet2DConditionModel(TinyModelConfigs.Unet()));
            using var ddpm = new DdpmScheduler(TinyModelConfigs.Scheduler());
            using var pixelWeights = options.Denoiser.ObjectLossWeight != 1
                ? ObjectLossWeights.FromMasks(set.ObjectMasks, latents.shape[2], options.Denoiser.ObjectLossWeight).DetachFromDisposeScope()
                : null;
            using var teacherFeatures = options.Denoiser.AlignmentWeight > 0 ? TeacherFeatures(classifier, set.Pixels) : null;
            var denoiserReport = DenoiserPretrainer.Train(unet, textEncoder, ddpm.Schedule, latents, ids, emptyIds, options.Denoiser,
                SeedDerivation.Derive(options.Seed, "denoiser"), progress, ct, replicas: threads, pixelWeights, teacherFeatures);
            TinyBaseModelFolder.WriteWeights(folder, StableDiffusionComponents.Unet, unet);
            TinyBaseModelFolder.WriteWeights(folder, StableDiffusionComponents.TextEncoder, textEncoder);
            progress.Info(DenoiserSummary(denoiserReport));

            var classifierId = $"{TinyWorldClassifier.CacheKind} {TinyWorldClassifier.Recipe(world).Key}";
            var gate = QualityGate.Evaluate(folder, world, classifier, classifierId, options.Gate, progress, ct,
                Path.Combine(folder, TinyBaseModelFolder.SamplesFile));
            gate.Write(Path.Combine(folder, TinyBaseModelFolder.QualityGateFile));
            // A missed gate is warned about by EnsureBuiltAsync, on this run and on every later run that uses the model.
            progress.Info($"Tiny base model quality gate: {gate.Summary}.");
            if (gate.CleanBreakdown is { } breakdown) progress.Info($"Quality gate, clean prompts by object count: {breakdown}.");
            if (gate.ReconstructedBreakdown is { } ceiling)
                progress.Info(string.Create(CultureInfo.InvariantCulture,
                    $"Quality gate ceiling: renders of the same clean prompts {gate.RenderCleanAdherence:P0}, through the VAE {gate.ReconstructedCleanAdherence:P0} ({ceiling})."));

            static long Count(nn.Module m) => m.parameters().Sum(p => p.numel());
            var report = new PretrainingReport(options.TrainPairs, threads, renderSeconds, vaeReport, scalingFactor, latentMean, reconstruction,
                denoiserReport, gate.Seconds, wall.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds,
                Count(vae), Count(unet), Count(textEncoder));
            AtomicFile.WriteAllText(Path.Combine(folder, TinyBaseModelFolder.ReportFile), JsonSerializer.Serialize(report, Json));
            progress.Info(string.Create(CultureInfo.InvariantCulture,
                $"Tiny base model built in {report.WallSeconds:F0} s ({report.CpuSeconds:F0} s of CPU on {threads} thread(s))."));
            return new TinyBaseModel(folder, gate);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    /// <summary>
    /// What the UNet's hidden state is aligned with: the classifier's cell features of every training image, outside
    /// any dispose scope. The raw features are used: centring them per channel did not draw better (docs/lab-notebook.md).
    /// </summary>
    /// <param name="pixels">[N, 3, H, W] in [-1, 1], as <see cref="PretrainingSet.Pixels"/>.</param>
    internal static Tensor TeacherFeatures(TinyWorldClassifier classifier, Tensor pixels)
    {
        using var scope = NewDisposeScope();
        return classifier.CellFeatures((pixels + 1) / 2).DetachFromDisposeScope();
    }

    /// <summary>The build log's line on UNet + text encoder pretraining.</summary>
    internal static string DenoiserSummary(DenoiserTrainingReport report)
    {
        var alignment = report.FinalAlignmentLoss is double a ? string.Create(CultureInfo.InvariantCulture, $", alignment loss {a:F3}") : "";
        var skipped = report.SkippedSteps > 0 ? $"; {report.SkippedSteps} step(s) whose loss or gradients were not finite were dropped" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"Tiny UNet + text encoder: loss {report.FinalLoss:F4}{alignment} after {report.Steps} steps ({report.Seconds:F0} s){skipped}.");
    }

    /// <summary>The seed a component's initial weights are drawn from.</summary>
    internal static long InitSeed(TinyPretrainingConfig options, string component) => SeedDerivation.Derive(options.Seed, "init", component);

    /// <summary>The posterior means of all images, unscaled, [N, C, h, w], outside any dispose scope.</summary>
    internal static Tensor EncodeLatents(AutoencoderKL vae, Tensor pixels)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        long n = pixels.shape[0];
        try
        {
            for (long start = 0; start < n; start += VaeRoundTrip.Chunk)
            {
                using var scope = NewDisposeScope();
                using var posterior = vae.Encode(pixels.narrow(0, start, Math.Min(VaeRoundTrip.Chunk, n - start)));
                parts.Add(posterior.Mean.clone().DetachFromDisposeScope());
            }
            return cat(parts, 0).DetachFromDisposeScope();
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>The classifier on fresh held-out renders and on their VAE reconstructions (posterior mean, decoded).</summary>
    internal static ReconstructionCheck CheckReconstruction(AutoencoderKL vae, TinyWorldConfig world, TinyWorldClassifier classifier, CancellationToken ct)
    {
        const int count = 256;
        var side = world.HoldoutShare > 0 ? WorldSplitSide.Holdout : WorldSplitSide.Train;
        var pairs = new TrainingPairGenerator(world, "vae-check", side, harmfulShare: 0.5).Batch(0, count, ct);
        var renders = pairs.Select(p => p.Image).ToList();
        var (reconstructed, error) = VaeRoundTrip.Reconstruct(vae, renders, world.ImageSize);
        var before = classifier.Score(renders);
        var after = classifier.Score(reconstructed);
        double Share(IReadOnlyList<ImageScore> scores, Func<ImageScore, int, bool> right) => scores.Select((s, i) => right(s, i) ? 1.0 : 0.0).Average();
        bool HarmfulRight(ImageScore s, int i) => s.Harmful == pairs[i].Harmful;
        bool Adheres(ImageScore s, int i) => TinyWorldClassifier.Adheres(s, pairs[i].Description);
        return new ReconstructionCheck(count, Share(before, HarmfulRight), Share(after, HarmfulRight), Share(before, Adheres), Share(after, Adheres), error);
    }
}
