using System.Globalization;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Diffusion.Clip;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Classifiers;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Features;
using SafeDiffusion.Evaluation.Report;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Images.Generation;
using SafeDiffusion.Prompts.Sets;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>One execution of the evaluation stage over a model matrix.</summary>
internal sealed class EvaluationRun(StageContext context, EvaluationConfig config, IReadOnlyList<IEvaluationJudgeProvider> providers,
    string datasetStage, string attackStage)
{
    private const int JudgeBatch = 64;

    private sealed record PromptSet(string Name, PromptLabel Kind, IReadOnlyList<PromptRecord> Prompts, string? Reference);

    public async Task<EvaluationResult> RunAsync(ModelMatrix matrix)
    {
        var ct = context.Cancellation;
        var sets = await LoadSetsAsync(ct).ConfigureAwait(false);
        if (sets.Count == 0) throw new PipelineException("The evaluation has no prompts: every configured prompt set is empty.");

        // 1. Images for every arm and set, through the same generator the image stage uses (resumable, sharded).
        var arms = new List<(EvalArm Arm, ModelReady Model)>();
        foreach (var model in matrix.Models.OrderBy(m => (m.Variant, m.Attacked)))
            arms.Add((new EvalArm(model.Variant == ModelVariant.Base ? EvalVariant.Base : EvalVariant.Safe, model.Attacked), model));
        var sampling = config.Images with { MaxPrompts = 0 };
        foreach (var (arm, model) in arms)
        foreach (var set in sets)
        {
            var folder = ImagesFolder(arm, set.Name);
            await new ImageGenerator(context, sampling, $"{context.StageName} {arm.Key} {set.Name}", model.ModelDirectory, folder)
                .GenerateAsync(set.Prompts).ConfigureAwait(false);
        }

        // 2. Judge every image once: harm classifier, CLIP score, adherence. Rows already written are kept.
        await using var lease = await context.LeaseAsync(ByteSize.FromGiB(2)).ConfigureAwait(false);
        var device = TorchDevices.ToTorch(lease.Device);
        var evalFolder = Path.Combine(context.Directory, "eval");
        var measurements = new List<QualityMeasurement>();
        using var classifier = await CreateClassifierAsync(device, ct).ConfigureAwait(false);
        using var clip = config.ClipModel is { } clipName
            ? ClipScorer.FromFolder(await context.Models.ResolveAsync(clipName, context.Progress, ct).ConfigureAwait(false),
                TorchSharp.torch.ScalarType.Float32, device)
            : null;
        using var fidFeatures = await CreateFeatureExtractorAsync(device, ct).ConfigureAwait(false);
        var measurer = fidFeatures is null && clip is null ? null
            : new QualityMeasurer(fidFeatures, clip is null ? null : ClipImageFeatureExtractor.For(clip, device));

        await using (var writer = await ParquetPartWriter<EvalImageRecord>.OpenAsync(evalFolder, EvalSchema.Instance,
                         context.Shard.IsAll ? null : ParquetPartWriterOptions.Default.ForShard(context.Shard), ct).ConfigureAwait(false))
        {
            using var progress = context.Progress.Start($"{context.StageName} judging", arms.Count * sets.Sum(s => s.Prompts.Count) * config.Images.ImagesPerPrompt, "images");
            foreach (var set in sets)
            {
                ReferenceStatistics? reference = null;
                if (measurer is not null && set.Kind == PromptLabel.Clean && set.Reference is { } refPath)
                    reference = measurer.ReferenceFor(set.Name, () => ReferenceImages.Read(refPath, ct), Path.Combine(context.Directory, "reference-stats"), ct);
                foreach (var (arm, model) in arms)
                {
                    var generated = new List<Rgb8Image>();
                    var batch = new List<(ImageRecord Row, Rgb8Image Image)>();
                    await foreach (var row in new ParquetPartReader<ImageRecord>(ImagesSchema.Instance).ReadAsync(ImagesFolder(arm, set.Name), ct).ConfigureAwait(false))
                    {
                        var image = PngCodec.Decode(row.Png, $"{ImagesFolder(arm, set.Name)}, image {row.ImageId}");
                        if (reference is not null) generated.Add(image);
                        var id = EvalImageRecord.StableId(arm.Variant, arm.Attacked, set.Name, row.PromptId, row.Seed);
                        if (writer.Contains(id))
                        {
                            progress.Increment();
                            continue;
                        }
                        batch.Add((row, image));
                        if (batch.Count == JudgeBatch) await JudgeAsync(batch, arm, set, model, classifier, clip, writer, progress, ct).ConfigureAwait(false);
                    }
                    await JudgeAsync(batch, arm, set, model, classifier, clip, writer, progress, ct).ConfigureAwait(false);
                    if (reference is not null && generated.Count >= 2)
                        measurements.Add(measurer!.Measure(arm, set.Name, generated, reference, ct));
                }
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }

        // 3. Summary and report, from the written rows (what `pipeline report` re-renders from).
        var rows = await new ParquetPartReader<EvalImageRecord>(EvalSchema.Instance).ReadAsync(evalFolder, ct).ToListAsync(ct).ConfigureAwait(false);
        var settings = Settings(matrix, classifier.Name);
        var summary = EvalSummaryBuilder.Build(rows, measurements, settings, config.Claim.ToCriteria());
        var reportDir = Path.Combine(context.Directory, EvaluationStage.ReportFolder);
        var output = ReportRenderer.Render(summary, rows, reportDir, new ReportOptions
        {
            ShowHarmful = config.ShowHarmful,
            GridPromptsPerKind = config.GridPromptsPerKind,
        });
        foreach (var part in PartFiles.List(evalFolder)) context.AddArtifact(part, "eval-parquet");
        foreach (var file in output.All) context.AddArtifact(file, "report");
        foreach (var cell in summary.PooledHarmfulRates)
            context.SetMetric($"harmful_rate/{cell.Arm.Key}", cell.Rate);
        context.SetNote("claim", $"{summary.Claim.Verdict}: {summary.Claim.Robustness.Evidence}");
        return new EvaluationResult(summary, output.Markdown, context.StageName);
    }

    private string ImagesFolder(EvalArm arm, string set) =>
        Path.Combine(context.Directory, "images", arm.Key, Images.Export.ImageExporter.SafeFileStem(set));

    private async Task JudgeAsync(List<(ImageRecord Row, Rgb8Image Image)> batch, EvalArm arm, PromptSet set, ModelReady model,
        IHarmClassifier classifier, ClipScorer? clip, ParquetPartWriter<EvalImageRecord> writer, Core.Progress.IProgressTask progress, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        var images = batch.Select(b => b.Image).ToList();
        var verdicts = classifier.Classify(images);
        var clipScores = clip?.ClipScore(images, batch.Select(b => b.Row.Text).ToList());
        var adherence = classifier as IAdherenceJudge;
        for (int i = 0; i < batch.Count; i++)
        {
            var (row, image) = batch[i];
            var v = verdicts[i];
            var record = new EvalImageRecord(
                EvalImageRecord.StableId(arm.Variant, arm.Attacked, set.Name, row.PromptId, row.Seed),
                arm.Variant, arm.Attacked, set.Name, set.Kind, row.PromptId, row.Text, row.Category, row.Seed,
                row.Png, "", classifier.Name, v.Score, v.Flagged, v.Category ?? "",
                clipScores is null ? null : clipScores[i],
                adherence?.Adherence(image, row.Text),
                row.ModelId);
            await writer.WriteAsync(record, ct).ConfigureAwait(false);
            progress.Increment();
        }
        batch.Clear();
    }

    private async Task<IHarmClassifier> CreateClassifierAsync(TorchSharp.torch.Device device, CancellationToken ct)
    {
        var provider = Provider(config.Classifier.Kind, "stages.evaluate.classifier.kind");
        var path = await context.Models.ResolveAsync(config.Classifier.Model, context.Progress, ct).ConfigureAwait(false);
        return provider.CreateClassifier(path, device);
    }

    private async Task<IImageFeatureExtractor?> CreateFeatureExtractorAsync(TorchSharp.torch.Device device, CancellationToken ct)
    {
        if (config.Fid is not { } fid) return null;
        var provider = Provider(fid.Kind, "stages.evaluate.fid.kind");
        var path = await context.Models.ResolveAsync(fid.Model, context.Progress, ct).ConfigureAwait(false);
        return provider.CreateFeatureExtractor(path, device)
               ?? throw new UsageException($"stages.evaluate.fid.kind: '{fid.Kind}' has no image features; use inception or a kind that does (tiny).");
    }

    private IEvaluationJudgeProvider Provider(string kind, string key) =>
        providers.FirstOrDefault(p => p.Kind == kind)
        ?? throw new UsageException($"{key}: no judge of kind '{kind}'. Known kinds: {string.Join(", ", providers.Select(p => p.Kind))}.");

    private async Task<IReadOnlyList<PromptSet>> LoadSetsAsync(CancellationToken ct)
    {
        var sets = new List<PromptSet>();
        foreach (var set in config.PromptSets)
        {
            var path = await context.Models.ResolvePathAsync(set.Path, $"stages.evaluate.promptSets[{set.Name}].path", context.Progress, ct).ConfigureAwait(false);
            var loaded = await PromptSetLoader.LoadAsync(set with { Path = path }, context.Config.Seed, ct: ct).ConfigureAwait(false);
            string? reference = null;
            if (config.References.TryGetValue(set.Name, out var refPath))
                reference = await context.Models.ResolvePathAsync(refPath, $"stages.evaluate.references.{set.Name}", context.Progress, ct).ConfigureAwait(false);
            sets.Add(new PromptSet(set.Name, set.Label, loaded.Prompts.Select(p => p.Record).ToList(), reference));
        }
        if (config.HoldoutSets)
        {
            var dataset = DatasetManifest.Locate(context.Run, datasetStage);
            var holdout = await new ParquetPartReader<ImageRecord>(ImagesSchema.Instance).ReadAsync(dataset.HoldoutDirectory, ct).ToListAsync(ct).ConfigureAwait(false);
            foreach (var kind in new[] { PromptLabel.Clean, PromptLabel.Harmful })
            {
                var name = kind == PromptLabel.Clean ? "holdout-clean" : "holdout-harmful";
                var prompts = holdout.Where(r => r.Label == kind)
                    .GroupBy(r => r.PromptId).Select(g => g.First())
                    // A stable sample: the same prompts whatever order the parts list them in.
                    .OrderBy(r => SeedDerivation.Derive(context.Config.Seed, "holdout", r.PromptId))
                    .Take(config.HoldoutSampleSize > 0 ? config.HoldoutSampleSize : int.MaxValue)
                    .Select(r => new PromptRecord(r.PromptId, r.Text, r.Label, r.Category, "holdout", r.Seed, "dataset", DateTimeOffset.UnixEpoch))
                    .ToList();
                if (prompts.Count == 0) continue;
                var reference = config.References.TryGetValue(name, out var refPath)
                    ? await context.Models.ResolvePathAsync(refPath, $"stages.evaluate.references.{name}", context.Progress, ct).ConfigureAwait(false)
                    : kind == PromptLabel.Clean ? dataset.HoldoutDirectory : null;
                sets.Add(new PromptSet(name, kind, prompts, reference));
            }
        }
        foreach (var s in sets) context.SetMetric($"prompts/{s.Name}", s.Prompts.Count);
        return sets.Where(s => s.Prompts.Count > 0).ToList();
    }

    /// <summary>
    /// The one-line verdict of a <c>quality_gate.json</c> that models the project builds carry (its <c>summary</c>),
    /// or the file as it is when it has none.
    /// </summary>
    private static string QualityGateLine(string path)
    {
        var text = File.ReadAllText(path).Trim();
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(text);
            if (json.RootElement.TryGetProperty("summary", out var summary) && summary.GetString() is { Length: > 0 } line) return line;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON after all: show what the file says.
        }
        return text;
    }

    private EvalRunSettings Settings(ModelMatrix matrix, string classifierName)
    {
        var attack = context.StageRecord(attackStage);
        var extra = new Dictionary<string, string>();
        foreach (var model in matrix.Models)
        {
            var gate = Path.Combine(model.ModelDirectory, "quality_gate.json");
            if (!model.Attacked && model.Variant == ModelVariant.Base && File.Exists(gate))
                extra["base model quality gate"] = QualityGateLine(gate);
        }
        if (config.Fid is { } fid) extra["frechet features"] = fid.Kind == "inception" ? "InceptionV3 pool3 (FID)" : $"{fid.Kind} features";
        return new EvalRunSettings
        {
            ConfigName = context.Config.Name,
            RunId = context.Run.Id,
            Seeds = [context.Config.Seed],
            Models = matrix.Models.ToDictionary(m => m.Label, m => m.ModelDirectory),
            Steps = config.Images.Steps,
            GuidanceScale = config.Images.Guidance,
            Scheduler = config.Images.Scheduler.Length == 0 ? "model default" : config.Images.Scheduler,
            ImageSize = config.Images.Width,
            AttackSteps = (int)attack.Metrics.GetValueOrDefault("steps"),
            AttackLearningRate = attack.Metrics.GetValueOrDefault("learning_rate"),
            Classifier = classifierName,
            Extra = extra,
        };
    }
}
