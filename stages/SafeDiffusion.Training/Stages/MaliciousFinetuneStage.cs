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
/// rows, run on the base model, the safe model and the control with identical data order, noise and settings. It runs
/// to the last of <see cref="MaliciousFinetuneConfig.SaveAt"/> (or <c>steps</c>, if later), saving every model at each
/// listed step, and passes on the evaluation matrix {base, safe, control} x {before, after <c>steps</c>} with those
/// saves. Stages of one execution that would attack the same model alike (the variants of <c>run compare</c>, which
/// share the base model and the control) share one attack, kept in the folder of the stage that ran it.
/// </summary>
/// <param name="name">The stage's name (and config section); `pipeline run compare` runs one per variant (<c>malicious-finetune@lt</c>).</param>
/// <param name="safetyTrainStage">The stage whose safe model it attacks (beside the configured base model).</param>
/// <param name="controlTrainStage">The stage whose control it attacks, or null for a matrix without a control.</param>
/// <param name="datasetStage">The stage whose harmful rows it attacks with.</param>
public sealed class MaliciousFinetuneStage(string name, string safetyTrainStage, string? controlTrainStage, string datasetStage)
    : Stage<ModelReady, ModelMatrix, MaliciousFinetuneConfig>
{
    public const string StageName = "malicious-finetune";

    private static readonly IReadOnlySet<PromptLabel> HarmfulOnly = new HashSet<PromptLabel> { PromptLabel.Harmful };

    public override string Name { get; } = name;

    public override string Description => "Malicious fine-tuning: plain fine-tuning on harmful rows, applied to the base, the safe and the control model, saved along the way.";

    public override IReadOnlyList<string> Inputs { get; } = controlTrainStage is null ? [safetyTrainStage] : [safetyTrainStage, controlTrainStage];

    public override IReadOnlyList<string> Reads { get; } = [datasetStage];

    /// <summary>
    /// One model arrives from each input stage; each is attacked as it arrives (the base model with the first), and
    /// the matrix goes on once every input's model is attacked.
    /// </summary>
    public override IPropagatorBlock<ModelReady, ModelMatrix> Build(StageContext context, MaliciousFinetuneConfig config)
    {
        var attacked = new List<AttackedModel>();
        return new TransformManyBlock<ModelReady, ModelMatrix>(async model =>
            {
                if (attacked.Any(a => a.Before.Variant == model.Variant))
                    throw new InvalidOperationException($"{context.StageName} received two {model.Variant} models; each input stage should send one.");
                if (model.Variant == ModelVariant.Base)
                    throw new InvalidOperationException($"{context.StageName} attacks the configured base model itself; an input stage sent a base model.");
                var attack = new Attack(context, config, Reads[0]);
                if (attacked.Count == 0) attacked.Add(await attack.RunAsync(new ModelReady(ModelVariant.Base, false, await attack.BaseModelAsync().ConfigureAwait(false), "base")).ConfigureAwait(false));
                attacked.Add(await attack.RunAsync(model).ConfigureAwait(false));
                return attacked.Count == Inputs.Count + 1 ? [attack.Finish(attacked)] : [];
            },
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1, CancellationToken = context.Cancellation });
    }

    public override async IAsyncEnumerable<ModelMatrix> ReplayAsync(StageContext context, MaliciousFinetuneConfig config, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return StageResultFile.Read(context.Run, context.Directory);
    }

    /// <summary>A model before the attack, after it (at the protocol point) and its saves by step.</summary>
    private sealed record AttackedModel(ModelReady Before, ModelReady After, IReadOnlyList<AttackCheckpoint> Checkpoints);

    /// <summary>The attack of one model: its job, shared with every stage of this execution that would run it alike.</summary>
    private sealed class Attack(StageContext context, MaliciousFinetuneConfig config, string datasetStage)
    {
        public async Task<string> BaseModelAsync() =>
            await context.Models.ResolveAsync(config.Model, context.Progress, context.Cancellation).ConfigureAwait(false);

        public async Task<AttackedModel> RunAsync(ModelReady model)
        {
            var ct = context.Cancellation;
            // The dataset stage records where its parts are in dataset/dataset.json (paths relative to the run).
            var dataset = DatasetManifest.Locate(context.Run, datasetStage);
            var baseModel = await BaseModelAsync().ConfigureAwait(false);
            int resolution = config.Resolution ?? Engine.ModelSizing.NativeResolution(baseModel);
            long seed = config.Seed ?? context.SeedFor("attack");
            // The trained models' folders hold a plain UNet and the base's files for the rest: the base's variant reads both.
            var variant = context.Models.Get(config.Model).Variant;
            var name = model.Variant.ToString().ToLowerInvariant();
            // Every model is attacked with the same rows in the same order and the same noise: only the starting weights differ.
            var spec = new FineTuneJobSpec(
                name,
                model.ModelDirectory,
                Path.Combine(context.Directory, name),
                new ParquetTrainingRows(dataset.TrainDirectory, HarmfulOnly, DatasetSplit.Train, config.ShuffleBuffer, SeedDerivation.Derive(seed, "data")),
                config.TrainingData(resolution, seed),
                config.Trainer(seed) with { Steps = config.TotalSteps },
                new ObjectiveSettings { Method = SafetyMethod.Plain },
                config,
                variant) { SaveAt = config.SavedSteps };

            // The variants of `run compare` attack the same base model and the same control alike: the first stage
            // to get here does it for all; a key holds everything that decides the result.
            var (result, attackedBy) = await context.OnceAsync(
                "attack:" + Core.IO.FileHash.Sha256(FineTuneJob.Fingerprint(spec), System.Text.Json.JsonSerializer.Serialize(config)),
                async () =>
                {
                    await using var lease = await context.LeaseAsync(FineTuneJob.MemoryFor(context, config, baseModel, resolution)).ConfigureAwait(false);
                    return await Task.Run(() => FineTuneJob.RunAsync(context, lease, spec, ct), ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
            FineTuneJob.RecordMetrics(context, name + "-", result);
            if (attackedBy != context.StageName)
                context.SetNote($"{name}-attack", $"shared: {attackedBy} attacked the {name} model with the same rows, seeds and settings");

            var saves = result.Saves.ToDictionary(s => s.Step, s => s.Directory);
            var checkpoints = config.SavedSteps
                .Select(step => new AttackCheckpoint(model.Variant, step, step == 0 ? model.ModelDirectory : saves[step]))
                .ToList();
            var after = new ModelReady(model.Variant, true, saves[config.Steps], $"{model.Label}, attacked");
            return new AttackedModel(model, after, checkpoints);
        }

        public ModelMatrix Finish(IReadOnlyList<AttackedModel> attacked)
        {
            var ordered = attacked.OrderBy(a => a.Before.Variant).ToList();
            var matrix = new ModelMatrix([.. ordered.Select(a => a.Before), .. ordered.Select(a => a.After)])
            {
                Checkpoints = [.. ordered.SelectMany(a => a.Checkpoints)],
                AttackSteps = config.Steps,
            };
            context.AddArtifact(StageResultFile.Write(context.Run, context.Directory, matrix), "result");
            // The evaluation report states the attack's strength next to its effect.
            context.SetMetric("steps", config.Steps);
            context.SetMetric("total-steps", config.TotalSteps);
            context.SetMetric("learning_rate", config.LearningRate);
            context.SetNote("save-at", string.Join(", ", config.SavedSteps));
            context.SetNote("base-model", ordered[0].Before.ModelDirectory);
            context.SetNote("dataset", DatasetManifest.Locate(context.Run, datasetStage).TrainDirectory);
            return matrix;
        }
    }
}
