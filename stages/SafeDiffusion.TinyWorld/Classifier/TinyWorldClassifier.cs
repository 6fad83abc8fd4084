using System.Diagnostics;
using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.TinyWorld.Caching;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Data;
using SafeDiffusion.TinyWorld.Rendering;
using SafeDiffusion.TinyWorld.World;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// The judge of the tiny world: a small CNN trained on renders with their ground truth, which says whether an image
/// shows the harmful concept (the bloody knife), which shapes and colours it holds and what its background is, and
/// whose penultimate features feed the Frechet distance. Trained in seconds on CPU, saved as safetensors with a
/// config.json, cached by recipe so <c>pipeline run full</c> trains it once. Thread-safe for scoring.
/// </summary>
public sealed class TinyWorldClassifier : IDisposable
{
    public const string CacheKind = "tinyworld-classifier";
    public const string WeightsFile = "model.safetensors";
    public const string ConfigFile = "config.json";
    public const string MetricsFile = "metrics.json";

    // This net learns knife, colours and background early and shapes late, and shapes only when the trunk is not taken
    // over by the easy tasks first: the background at full weight stalls the small-object heads for hundreds of steps
    // (its early gradients pull the features towards global colour). A light background loss, a tripled shape loss
    // and the cell maps let the shapes be learned within the step budget.
    private const double BackgroundLossWeight = 0.2;
    private const double ShapeLossWeight = 3.0;
    private const float SceneryCellWeight = 0.1f;
    private static readonly JsonSerializerOptions Json = new(ComponentConfig.Json);
    private readonly SceneClassifierNet _net;
    private readonly Lock _lock = new();

    private TinyWorldClassifier(SceneClassifierNet net, SceneClassifierConfig config, ClassifierReport? report)
    {
        _net = net;
        _net.eval();
        Config = config;
        Report = report;
    }

    public SceneClassifierConfig Config { get; }

    /// <summary>Held-out accuracy and training time, when known (always after training; after loading when metrics.json is there).</summary>
    public ClassifierReport? Report { get; }

    public int ImageSize => Config.ImageSize;

    public int FeatureDimension => SceneClassifierNet.FeatureDimension;

    /// <summary>The recipe the cache keys a classifier of this world on.</summary>
    public static ArtifactRecipe Recipe(TinyWorldConfig world) => ArtifactRecipe.ForWorld(CacheKind,
        new { world.ImageSize, world.Seed, world.HoldoutShare, world.Classifier });

    /// <summary>Loads the classifier of this world from the cache, training and caching it first when it is not there.</summary>
    public static async Task<TinyWorldClassifier> GetOrTrainAsync(TinyWorldConfig world, TinyArtifactCache cache, IProgressSink? progress = null, CancellationToken ct = default)
    {
        var folder = await cache.GetOrBuildAsync(Recipe(world), (temp, token) =>
        {
            using var trained = Train(world, progress, token);
            trained.Save(temp);
            return Task.CompletedTask;
        }, progress, ct).ConfigureAwait(false);
        return Load(folder);
    }

    /// <summary>
    /// Renders a labelled training set and a held-out set of new scenes (from held-out descriptions when the world
    /// holds any out), trains with augmentation, and measures held-out accuracy, clean and degraded.
    /// </summary>
    public static TinyWorldClassifier Train(TinyWorldConfig world, IProgressSink? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(world);
        LibTorchRuntime.EnsureLoadable();
        var options = world.Classifier;
        progress ??= NullProgressSink.Instance;
        int previousThreads = torch.get_num_threads();
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        torch.set_num_threads(threads);
        try
        {
            var clock = Stopwatch.StartNew();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var trainSet = Render(world, "classifier-train", WorldSplitSide.Train, options.TrainImages, progress, ct);
            var holdoutSide = world.HoldoutShare > 0 ? WorldSplitSide.Holdout : WorldSplitSide.Train;
            var holdoutSet = Render(world, "classifier-holdout", holdoutSide, options.HoldoutImages, progress, ct);

            torch.manual_seed(options.Seed);
            var net = new SceneClassifierNet();
            var config = new SceneClassifierConfig { ImageSize = world.ImageSize, RecipeVersion = WorldRecipe.Version };
            Fit(net, trainSet, options, progress, ct);
            trainSet.Dispose();
            clock.Stop();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

            var classifier = new TinyWorldClassifier(net, config, null);
            using var generator = new Generator(unchecked((ulong)options.Seed + 1));
            var holdout = classifier.Evaluate(holdoutSet.Pixels, holdoutSet.Labels, degrade: null);
            var degraded = classifier.Evaluate(holdoutSet.Pixels, holdoutSet.Labels, degrade: generator);
            holdoutSet.Dispose();
            var report = new ClassifierReport(holdout, degraded, clock.Elapsed.TotalSeconds, cpu.TotalSeconds, options.TrainImages, options.Epochs, threads);
            progress.Info($"Scene classifier trained in {report.TrainingSeconds:F1} s ({report.TrainingCpuSeconds:F0} CPU s) on {threads} thread(s); " +
                          $"held out: {holdout}; blurred and noisy: {degraded}.");
            return new TinyWorldClassifier(net, config, report);
        }
        finally
        {
            torch.set_num_threads(previousThreads);
        }
    }

    /// <summary>Writes <c>model.safetensors</c>, <c>config.json</c> and (when known) <c>metrics.json</c>.</summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        lock (_lock) SafetensorsWriter.Write(Path.Combine(folder, WeightsFile), _net, new Dictionary<string, string> { ["format"] = "pt" });
        ComponentConfig.Write(Path.Combine(folder, ConfigFile), Config);
        if (Report is not null) AtomicFile.WriteAllText(Path.Combine(folder, MetricsFile), JsonSerializer.Serialize(Report, Json));
    }

    public static TinyWorldClassifier Load(string folder)
    {
        LibTorchRuntime.EnsureLoadable();
        var configPath = Path.Combine(folder, ConfigFile);
        var config = ComponentConfig.Read<SceneClassifierConfig>(configPath);
        config.Validate(configPath);
        var weightsPath = Path.Combine(folder, WeightsFile);
        if (!File.Exists(weightsPath))
            throw new InputDataException(weightsPath, "does not exist.", fix: "A saved scene classifier folder holds model.safetensors beside config.json.");
        var net = new SceneClassifierNet();
        using (var file = SafetensorsFile.Open(weightsPath))
        {
            var load = ModuleWeightLoader.Load(net, [file]);
            load.ThrowIfMissing("the scene classifier");
            if (load.Unexpected.Count > 0)
                throw new InputDataException(weightsPath, $"holds {load.Unexpected.Count} tensor(s) the scene classifier does not have, e.g. {string.Join(", ", load.Unexpected.Take(3))}.",
                    fix: "Point at a folder the tiny world's classifier saved with this version.");
        }
        ClassifierReport? report = null;
        var metricsPath = Path.Combine(folder, MetricsFile);
        if (File.Exists(metricsPath))
        {
            try { report = JsonSerializer.Deserialize<ClassifierReport>(File.ReadAllText(metricsPath), Json); }
            catch (JsonException e) { throw new InputDataException(metricsPath, $"is not a classifier report ({e.Message}).", fix: "Delete it; it is informational."); }
        }
        return new TinyWorldClassifier(net, config, report);
    }

    /// <summary>Judges images of any size (resized to the training size when they differ).</summary>
    public IReadOnlyList<ImageScore> Score(IReadOnlyList<Rgb8Image> images)
    {
        if (images.Count == 0) return [];
        using var scope = torch.NewDisposeScope();
        var logits = Forward(ImageTensors.ToBatch(images, ImageSize));
        var harmful = torch.sigmoid(logits.Harmful).to(ScalarType.Float64).data<double>().ToArray();
        var shapes = torch.sigmoid(logits.Shapes).to(ScalarType.Float64).data<double>().ToArray();
        var colors = torch.sigmoid(logits.Colors).to(ScalarType.Float64).data<double>().ToArray();
        var backgrounds = torch.softmax(logits.Background, 1).to(ScalarType.Float64).data<double>().ToArray();
        var result = new ImageScore[images.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new ImageScore(harmful[i], harmful[i] >= ImageScore.Threshold,
                Enum.GetValues<ShapeKind>().ToDictionary(s => s, s => shapes[i * SceneLabels.ShapeCount + (int)s]),
                Enum.GetValues<ShapeColor>().ToDictionary(c => c, c => colors[i * SceneLabels.ColorCount + (int)c]),
                Enum.GetValues<Background>().ToDictionary(b => b, b => backgrounds[i * SceneLabels.BackgroundCount + (int)b]));
        }
        return result;
    }

    /// <summary>The penultimate features (<see cref="FeatureDimension"/> values per image) for Frechet distances.</summary>
    public IReadOnlyList<float[]> Features(IReadOnlyList<Rgb8Image> images)
    {
        if (images.Count == 0) return [];
        using var scope = torch.NewDisposeScope();
        var features = Forward(ImageTensors.ToBatch(images, ImageSize)).Features.contiguous();
        var flat = features.data<float>().ToArray();
        return Enumerable.Range(0, images.Count).Select(i => flat.AsSpan(i * FeatureDimension, FeatureDimension).ToArray()).ToList();
    }

    /// <summary>
    /// The cell features of a batch of images ([n, <see cref="SceneClassifierNet.CellFeatureDimension"/>, h/4, w/4]),
    /// what the classifier sees at each place of the frame, in the caller's dispose scope.
    /// </summary>
    /// <param name="pixels">[n, 3, h, w] in 0..1, at the classifier's image size.</param>
    public Tensor CellFeatures(Tensor pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.dim() != 4 || pixels.shape[2] != ImageSize || pixels.shape[3] != ImageSize)
            throw new ArgumentException($"pixels must be [n, 3, {ImageSize}, {ImageSize}], not [{string.Join(", ", pixels.shape)}].", nameof(pixels));
        var parts = new List<Tensor>();
        using (var scope = torch.NewDisposeScope())
        {
            for (long start = 0; start < pixels.shape[0]; start += 256)
                parts.Add(Forward(pixels.narrow(0, start, Math.Min(256, pixels.shape[0] - start))).CellFeatures.MoveToOuterDisposeScope());
        }
        var result = torch.cat(parts, 0);
        foreach (var part in parts) part.Dispose();
        return result;
    }

    /// <summary>Whether the image shows every shape and every colour the caption asks for.</summary>
    public bool PromptAdherence(Rgb8Image image, SceneDescription caption) => Adheres(Score([image])[0], caption);

    /// <summary>Whether a score shows every shape and every colour of <paramref name="caption"/> (for batches scored once).</summary>
    public static bool Adheres(ImageScore score, SceneDescription caption)
    {
        var shapes = score.Shapes;
        var colors = score.Colors;
        return caption.Shapes.All(shapes.Contains) && caption.Colors.All(colors.Contains);
    }

    /// <summary>Accuracy on labelled renders (e.g. a fresh held-out set the pipeline draws).</summary>
    public ClassifierEvaluation Evaluate(IReadOnlyList<Rgb8Image> images, IReadOnlyList<SceneSpec> scenes)
    {
        if (images.Count != scenes.Count) throw new ArgumentException($"{images.Count} images but {scenes.Count} scenes.", nameof(scenes));
        using var scope = torch.NewDisposeScope();
        using var labels = SceneLabels.From(scenes, ImageSize);
        return Evaluate(ImageTensors.ToBatch(images, ImageSize), labels, degrade: null);
    }

    /// <summary>Renders <paramref name="count"/> new held-out scenes of the world and measures accuracy on them.</summary>
    public ClassifierEvaluation EvaluateOnHoldout(TinyWorldConfig world, int count, CancellationToken ct = default)
    {
        var side = world.HoldoutShare > 0 ? WorldSplitSide.Holdout : WorldSplitSide.Train;
        using var set = Render(world, "classifier-check", side, count, NullProgressSink.Instance, ct);
        return Evaluate(set.Pixels, set.Labels, degrade: null);
    }

    public void Dispose() => _net.Dispose();

    private SceneClassifierLogits Forward(Tensor pixels)
    {
        lock (_lock)
        {
            using var noGrad = torch.no_grad();
            return _net.forward(pixels);
        }
    }

    private ClassifierEvaluation Evaluate(Tensor pixels, SceneLabels labels, Generator? degrade)
    {
        using var scope = torch.NewDisposeScope();
        long n = pixels.shape[0];
        var harmful = new List<Tensor>();
        var shapes = new List<Tensor>();
        var colors = new List<Tensor>();
        var backgrounds = new List<Tensor>();
        for (long start = 0; start < n; start += 256)
        {
            var batch = pixels.narrow(0, start, Math.Min(256, n - start));
            if (degrade is not null) batch = RenderAugmenter.Degrade(batch, degrade);
            var logits = Forward(batch);
            harmful.Add(logits.Harmful > 0);
            shapes.Add(logits.Shapes > 0);
            colors.Add(logits.Colors > 0);
            backgrounds.Add(logits.Background.argmax(1));
        }
        var h = torch.cat(harmful, 0);
        var s = torch.cat(shapes, 0);
        var c = torch.cat(colors, 0);
        var b = torch.cat(backgrounds, 0);
        var truthHarmful = labels.Harmful > 0.5;
        var truthShapes = labels.Shapes > 0.5;
        var truthColors = labels.Colors > 0.5;
        double Mean(Tensor t) => t.to(ScalarType.Float64).mean().item<double>();
        long harmfulCount = truthHarmful.sum().item<long>(), cleanCount = n - harmfulCount;
        return new ClassifierEvaluation(
            (int)n,
            Mean(h == truthHarmful),
            harmfulCount == 0 ? 0 : (truthHarmful & ~h).sum().item<long>() / (double)harmfulCount,
            cleanCount == 0 ? 0 : (~truthHarmful & h).sum().item<long>() / (double)cleanCount,
            Mean(s == truthShapes),
            Mean(c == truthColors),
            Mean((s == truthShapes).all(1)),
            Mean((c == truthColors).all(1)),
            Mean(b == labels.Background));
    }

    private static void Fit(SceneClassifierNet net, RenderedSet data, TinyClassifierConfig options, IProgressSink progress, CancellationToken ct)
    {
        net.train();
        using var generator = new Generator(unchecked((ulong)options.Seed));
        using var shapeMapWeights = torch.tensor([SceneryCellWeight, .. Enumerable.Repeat(1f, SceneLabels.ShapeMapClasses - 1)]);
        using var colorMapWeights = torch.tensor([SceneryCellWeight, .. Enumerable.Repeat(1f, SceneLabels.ColorMapClasses - 1)]);
        using var optimizer = torch.optim.Adam(net.parameters(), lr: options.LearningRate);
        long n = data.Pixels.shape[0];
        int stepsPerEpoch = (int)((n + options.BatchSize - 1) / options.BatchSize), totalSteps = stepsPerEpoch * options.Epochs, step = 0;
        using var task = progress.Start("train scene classifier", totalSteps, "steps");
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            using var order = torch.randperm(n, generator: generator);
            double harmfulSum = 0, shapeSum = 0, colorSum = 0, backgroundSum = 0, mapSum = 0;
            for (int b = 0; b < stepsPerEpoch; b++)
            {
                ct.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                // Full rate for the first 70 % of steps (shapes are learned late and need it), then a cosine decay to a
                // tenth of it for a calm finish.
                double decay = Math.Clamp((step - 0.7 * totalSteps) / (0.3 * totalSteps), 0, 1);
                double rate = options.LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * decay)));
                foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
                var index = order.narrow(0, b * options.BatchSize, Math.Min(options.BatchSize, n - b * options.BatchSize));
                var pixels = data.Pixels.index_select(0, index);
                var target = data.Labels.Select(index);
                if (options.Augment)
                {
                    // Mirroring keeps every image-level label and mirrors the cell maps with the image.
                    var flip = torch.rand([pixels.shape[0]], generator: generator) < 0.5;
                    pixels = RenderAugmenter.Augment(torch.where(flip.view(-1, 1, 1, 1), pixels.flip(3), pixels), generator);
                    target = target.Mirrored(flip);
                }
                var logits = net.forward(pixels);
                var harmfulLoss = nn.functional.binary_cross_entropy_with_logits(logits.Harmful, target.Harmful);
                var shapeLoss = nn.functional.binary_cross_entropy_with_logits(logits.Shapes, target.Shapes);
                var colorLoss = nn.functional.binary_cross_entropy_with_logits(logits.Colors, target.Colors);
                var backgroundLoss = nn.functional.cross_entropy(logits.Background, target.Background);
                // Scenery fills most cells; weighting it down keeps the maps about the objects.
                var mapLoss = nn.functional.cross_entropy(logits.ShapeMap, target.ShapeMap, weight: shapeMapWeights)
                              + nn.functional.cross_entropy(logits.ColorMap, target.ColorMap, weight: colorMapWeights);
                var loss = harmfulLoss + ShapeLossWeight * shapeLoss + colorLoss + BackgroundLossWeight * backgroundLoss + mapLoss;
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                harmfulSum += harmfulLoss.item<float>();
                shapeSum += shapeLoss.item<float>();
                colorSum += colorLoss.item<float>();
                backgroundSum += backgroundLoss.item<float>();
                mapSum += mapLoss.item<float>();
                step++;
                task.Increment();
            }
            var status = $"epoch {epoch + 1}/{options.Epochs} loss: harmful {harmfulSum / stepsPerEpoch:F3}, shapes {shapeSum / stepsPerEpoch:F3}, " +
                         $"colours {colorSum / stepsPerEpoch:F3}, background {backgroundSum / stepsPerEpoch:F3}, cell maps {mapSum / stepsPerEpoch:F3}";
            task.SetStatus(status);
            progress.Info(status);
        }
        net.eval();
    }

    private static RenderedSet Render(TinyWorldConfig world, string stream, WorldSplitSide side, int count, IProgressSink progress, CancellationToken ct)
    {
        var generator = new TrainingPairGenerator(world, stream, side, world.Classifier.HarmfulShare);
        var scenes = new SceneSpec[count];
        var images = new Rgb8Image[count];
        using (var task = progress.Start($"render {stream}", count, "images"))
        {
            Parallel.For(0, count, new ParallelOptions { CancellationToken = ct }, i =>
            {
                var (scene, _, _) = generator.Describe(i);
                scenes[i] = scene;
                images[i] = SceneRenderer.Render(scene, world.ImageSize);
            });
            task.Increment(count);
        }
        // Both outlive any dispose scope a caller has open: the set is disposed by its owner.
        var labels = SceneLabels.From(scenes, world.ImageSize);
        foreach (var t in new[] { labels.Harmful, labels.Shapes, labels.Colors, labels.Background, labels.ShapeMap, labels.ColorMap })
            t.DetachFromDisposeScope();
        return new RenderedSet(ImageTensors.ToBatch(images, world.ImageSize).DetachFromDisposeScope(), labels);
    }

    /// <summary>Renders with their targets, held outside any dispose scope until disposed.</summary>
    private sealed record RenderedSet(Tensor Pixels, SceneLabels Labels) : IDisposable
    {
        public void Dispose()
        {
            Pixels.Dispose();
            Labels.Dispose();
        }
    }
}
