using System.Diagnostics;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Data;
using SafeDiffusion.TinyWorld.Rendering;
using SafeDiffusion.TinyWorld.World;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Checks a tiny base model the way the pipeline will use it: loads the folder with the project's own loaders,
/// generates from held-out captions (scenes no training stream saw) with the folder's default sampler, and lets
/// the scene classifier judge: a clean image passes when every shape and colour its caption asks for is there, a
/// harmful image when the bloody knife is. Renders of the same prompts, as drawn and through the model's VAE, say how
/// much of what is missing the judge or the decoder could account for.
/// </summary>
public static class QualityGate
{
    public const string PromptPurpose = "quality-gate";

    /// <param name="classifierId">Names the classifier in the result (e.g. its cache key).</param>
    /// <param name="samplesPng">Where to save a sheet of generated images (clean rows above harmful rows); null saves none.</param>
    public static QualityGateResult Evaluate(string modelFolder, TinyWorldConfig world, TinyWorldClassifier classifier, string classifierId,
        QualityGateOptions options, IProgressSink progress, CancellationToken ct, string? samplesPng = null)
    {
        var clock = Stopwatch.StartNew();
        var side = world.HoldoutShare > 0 ? WorldSplitSide.Holdout : WorldSplitSide.Train;
        var clean = WorldCaptionSampler.Distinct(world, harmful: false, side, options.Images, PromptPurpose);
        var harmful = WorldCaptionSampler.Distinct(world, harmful: true, side, options.Images, PromptPurpose);

        using var models = StableDiffusionModels.Load(modelFolder, ScalarType.Float32, CPU);
        using var text = ClipTextConditioner.FromModelFolder(modelFolder, ScalarType.Float32, CPU);
        var sampler = models.CreateSampler();
        var txt2img = new Txt2ImgOptions
        {
            Width = world.ImageSize,
            Height = world.ImageSize,
            Steps = options.Steps,
            GuidanceScale = options.Guidance,
            BatchSize = 64,
        };
        IReadOnlyList<Rgb8Image> Generate(IReadOnlyList<string> captions, string kind, IProgressTask task)
        {
            var prompts = captions.Select((c, i) => new Txt2ImgPrompt(c, SeedDerivation.Derive(options.Seed, PromptPurpose, kind, i.ToString(System.Globalization.CultureInfo.InvariantCulture))))
                .ToList();
            var images = new List<Rgb8Image>(prompts.Count);
            foreach (var image in sampler.Generate(text, prompts, txt2img, ct))
            {
                images.Add(image.Image);
                task.Increment();
            }
            return images;
        }

        IReadOnlyList<Rgb8Image> cleanImages, harmfulImages;
        using (var task = progress.Start("quality gate: generate", 2 * options.Images, "images"))
        {
            cleanImages = Generate(clean, "clean", task);
            harmfulImages = Generate(harmful, "harmful", task);
        }
        var cleanScores = classifier.Score(cleanImages);
        var harmfulScores = classifier.Score(harmfulImages);
        double Share(IEnumerable<bool> flags) => flags.Average(f => f ? 1.0 : 0.0);
        var cleanRequested = clean.Select(CaptionParser.Parse).ToList();
        var cleanAdherence = Share(cleanScores.Select((s, i) => TinyWorldClassifier.Adheres(s, cleanRequested[i])));
        var harmfulPresence = Share(harmfulScores.Select(s => s.Harmful));
        var thresholds = new QualityGateThresholds(options.CleanAdherence, options.HarmfulPresence);

        // The same prompts drawn by the renderer: the most the classifier can confirm, the ceiling of the figures above.
        var rng = new WorldRandom(SeedDerivation.Derive(options.Seed, PromptPurpose, "renders"));
        Rgb8Image RenderOf(string caption) => SceneRenderer.Render(SceneSampler.Layout(CaptionParser.Parse(caption), rng), world.ImageSize);
        var cleanRenderImages = clean.Select(RenderOf).ToList();
        var cleanRenders = classifier.Score(cleanRenderImages);
        var harmfulRenders = classifier.Score(harmful.Select(RenderOf).ToList());
        // The same renders through the model's VAE: roughly the most any image this model generates can show.
        var cleanReconstructions = classifier.Score(VaeRoundTrip.Reconstruct(models.Vae, cleanRenderImages, world.ImageSize).Images);

        if (samplesPng is not null)
        {
            // Up to 4 rows of each kind, clean above harmful, for a human look at what the model draws.
            int columns = Math.Min(8, options.Images);
            int take = Math.Min(options.Images, 4 * columns);
            var sheet = SceneSheet.Compose(cleanImages.Take(take).Concat(harmfulImages.Take(take)).ToList(), columns);
            Core.IO.AtomicFile.WriteAllBytes(samplesPng, PngCodec.Encode(sheet));
        }

        return new QualityGateResult(
            cleanAdherence, harmfulPresence,
            cleanAdherence >= thresholds.CleanAdherence && harmfulPresence >= thresholds.HarmfulPresence,
            thresholds, options.Images, options.Seed, options.Steps, options.Guidance, models.SchedulerConfig.ClassName ?? "unknown",
            Share(cleanScores.Select(s => s.Harmful)),
            Share(harmfulScores.Select((s, i) => TinyWorldClassifier.Adheres(s, CaptionParser.Parse(harmful[i])))),
            Share(cleanRenders.Select((s, i) => TinyWorldClassifier.Adheres(s, CaptionParser.Parse(clean[i])))),
            Share(harmfulRenders.Select(s => s.Harmful)),
            classifierId,
            clock.Elapsed.TotalSeconds,
            CleanAdherenceBreakdown.Of(cleanRequested, cleanScores),
            Share(cleanReconstructions.Select((s, i) => TinyWorldClassifier.Adheres(s, cleanRequested[i]))),
            CleanAdherenceBreakdown.Of(cleanRequested, cleanReconstructions));
    }
}
