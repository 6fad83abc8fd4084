using SafeDiffusion.Images.Codecs;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Objectives;

namespace SafeDiffusion.Training.Stages;

/// <summary>
/// <c>malicious-finetune</c>: the attack of the paper, plain diffusion fine-tuning on the dataset's harmful train
/// rows, run on the base model and on the safe model with identical data order, noise and settings. Passes on the
/// evaluation matrix {base, safe} x {before, after}. Stages of one execution that would attack the same base model
/// alike (the variants of <c>run compare</c>) share one attack, kept in the folder of the stage that ran it.
/// </summary>
/// <param name="name">The stage's name (and config section); `pipeline run compare` runs one per variant (<c>malicious-finetune@lt</c>).</param>
/// <param name="safetyTrainStage">The stage whose base and safe models it attacks.</param>
/// <param name="datasetStage">The stage whose harmful rows it attacks with.</param>
public sealed class MaliciousFinetuneStage(string name, string safetyTrainStage, string datasetStage)
    : Stage<ModelReady, ModelMatrix, MaliciousFinetuneConfig>
{
    public const string StageName = "malicious-finetune";

    private static readonly IReadOnlySet<PromptLabel> HarmfulOnly = new HashSet<PromptLabel> { PromptLabel.Harmful };

    public override string Name { get; } = name;

    public override string Description => "Malicious fine-tuning: plain fine-tuning on harmful rows, applied to the base and the safe model.";

    public override IReadOnlyList<string> Inputs { get; } = [safetyTrainStage];

    public override IReadOnlyList<string> Reads { get; } = [datasetStage];

    public override IPropagatorBlock<ModelReady, ModelMatrix> Build(StageContext context, MaliciousFinetuneConfig config) =>
        new TransformBlock<ModelReady, ModelMatrix>(safe => RunAsync(context, config, safe, Reads[0], context.Cancellation),
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1, CancellationToken = context.Cancellation });

    public override async IAsyncEnumerable<ModelMatrix> ReplayAsync(StageContext context, MaliciousFinetuneConfig config, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return StageResultFile.Read(context.Run, context.Directory);
    }

    private static async Task<ModelMatrix> RunAsync(StageContext context, MaliciousFinetuneConfig config, ModelReady safe, string datasetStage, CancellationToken ct)
    {
        // The dataset stage records where its parts are in dataset/dataset.json (paths relative to the run).
        var dataset = DatasetManifest.Locate(context.Run, datasetStage);
        var baseModel = await context.Models.ResolveAsync(config.Model, context.Progress, ct).ConfigureAwait(false);
        int resolution = config.Resolution ?? Engine.ModelSizing.NativeResolution(baseModel);
        long seed = config.Seed ?? context.SeedFor("attack");
        await using var lease = await context.LeaseAsync(FineTuneJob.MemoryFor(context, config, baseModel, resolution)).ConfigureAwait(false);

        // The safe model's folder holds a plain UNet and the base's files for the rest: the base's variant reads both.
        var variant = context.Models.Get(config.Model).Variant;
        // Both models are attacked with the same rows in the same order and the same noise: only the starting weights differ.
        FineTuneJobSpec Spec(string name, string model) => new(
            name,
            model,
            Path.Combine(context.Directory, name),
            new ParquetTrainingRows(dataset.TrainDirectory, HarmfulOnly, DatasetSplit.Train, config.ShuffleBuffer, SeedDerivation.Derive(seed, "data")),
            new TrainingDataOptions
            {
                Image = new ImagePreprocessing(resolution, config.CenterCrop, config.RandomFlip),
                BatchSize = config.BatchSize,
                CaptionDropout = config.CaptionDropout,
                ImageLimits = ImageDecodeLimits.Square(config.MaxImageSide),
                Prefetch = config.Prefetch,
                Workers = config.DataWorkers,
                Seed = SeedDerivation.Derive(seed, "augment"),
            },
            config.Trainer(seed),
            new ObjectiveSettings { Method = SafetyMethod.Plain },
            config,
            variant);

        // Every variant of `run compare` attacks the same base model alike: the first to get here does it for all.
        var baseSpec = Spec("base", baseModel);
        var (attackedBase, attackedBy) = await context.OnceAsync(
            "attack:" + Core.IO.FileHash.Sha256(FineTuneJob.Fingerprint(baseSpec), System.Text.Json.JsonSerializer.Serialize(config)),
            () => Task.Run(() => FineTuneJob.RunAsync(context, lease, baseSpec, ct), ct)).ConfigureAwait(false);
        FineTuneJob.RecordMetrics(context, "base-", attackedBase);
        if (attackedBy != context.StageName)
            context.SetNote("base-attack", $"shared: {attackedBy} attacked the base model with the same rows, seeds and settings");
        var attackedSafe = await Task.Run(() => FineTuneJob.RunAsync(context, lease, Spec("safe", safe.ModelDirectory), ct), ct).ConfigureAwait(false);
        FineTuneJob.RecordMetrics(context, "safe-", attackedSafe);

        var matrix = new ModelMatrix([
            new ModelReady(ModelVariant.Base, false, baseModel, "base"),
            new ModelReady(ModelVariant.Safe, false, safe.ModelDirectory, safe.Label),
            new ModelReady(ModelVariant.Base, true, attackedBase.ModelDirectory, "base, attacked"),
            new ModelReady(ModelVariant.Safe, true, attackedSafe.ModelDirectory, $"{safe.Label}, attacked"),
        ]);
        context.AddArtifact(StageResultFile.Write(context.Run, context.Directory, matrix), "result");
        // The evaluation report states the attack's strength next to its effect.
        context.SetMetric("steps", config.Steps);
        context.SetMetric("learning_rate", config.LearningRate);
        context.SetNote("base-model", baseModel);
        context.SetNote("dataset", dataset.TrainDirectory);
        return matrix;
    }
}
