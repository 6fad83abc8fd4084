using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Objectives;

namespace SafeDiffusion.Training.Stages;

/// <summary>
/// <c>safety-train</c>: fine-tunes the base model's UNet on the dataset's clean and harmful train rows with the
/// configured method (LT, NG, high safety, or plain), writes the safe model as a diffusers folder, per-step metrics
/// and a loss plot, and passes the model on.
/// </summary>
/// <param name="name">The stage's name (and config section); `pipeline run compare` runs one per variant (<c>safety-train@lt</c>).</param>
/// <param name="datasetStage">The stage whose dataset it trains on.</param>
/// <param name="produces">Which model of the evaluation matrix it trains: <see cref="ModelVariant.Safe"/>, or
/// <see cref="ModelVariant.Control"/> for the control arm (<see cref="ControlTraining"/>).</param>
public sealed class SafetyTrainStage(string name, string datasetStage, ModelVariant produces)
    : Stage<DatasetReady, ModelReady, SafetyTrainConfig>
{
    public const string StageName = "safety-train";

    private static readonly IReadOnlySet<PromptLabel> BothClasses = new HashSet<PromptLabel> { PromptLabel.Clean, PromptLabel.Harmful };
    private static readonly IReadOnlySet<PromptLabel> CleanOnly = new HashSet<PromptLabel> { PromptLabel.Clean };

    public override string Name { get; } = name;

    public override string Description => produces == ModelVariant.Control
        ? "Control: the base UNet fine-tuned plainly on the clean rows, with safety training's steps, rate and data."
        : "Safety training: the base UNet fine-tuned so clean and harmful latents separate (LT, NG or high safety).";

    public override IReadOnlyList<string> Inputs { get; } = [datasetStage];

    public override IPropagatorBlock<DatasetReady, ModelReady> Build(StageContext context, SafetyTrainConfig config) =>
        new TransformBlock<DatasetReady, ModelReady>(dataset => RunAsync(context, config, dataset, produces, context.Cancellation),
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1, CancellationToken = context.Cancellation });

    public override async IAsyncEnumerable<ModelReady> ReplayAsync(StageContext context, SafetyTrainConfig config, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        foreach (var model in StageResultFile.Read(context.Run, context.Directory).Models) yield return model;
    }

    /// <summary>"safe (LT)", "safe (NG)", "safe (high safety)", "plain fine-tune"; the public code's variant says so.</summary>
    public static string Label(SafetyMethod method) => method switch
    {
        SafetyMethod.Lt => "safe (LT)",
        SafetyMethod.Ng => "safe (NG)",
        SafetyMethod.HighSafety => "safe (high safety)",
        _ => "plain fine-tune",
    };

    public static string Label(SafetyTrainConfig config)
    {
        if (config.Method == SafetyMethod.Plain)
            return config.Rows == TrainingRows.CleanOnly ? "plain clean fine-tune" : "plain fine-tune";
        var label = Label(config.Method);
        return config.ContrastGradient ? label : label[..^1] + ", L_c without gradient)";
    }

    private static async Task<ModelReady> RunAsync(StageContext context, SafetyTrainConfig config, DatasetReady dataset, ModelVariant produces, CancellationToken ct)
    {
        var baseModel = await context.Models.ResolveAsync(config.Model, context.Progress, ct).ConfigureAwait(false);
        int resolution = config.Resolution ?? Engine.ModelSizing.NativeResolution(baseModel);
        // Every instance (the safe model, the control, compare's variants) derives its seed as safety-train does, so
        // they draw the same rows in the same order with the same noise: only the objective and the rows read differ.
        long seed = config.Seed ?? SeedDerivation.Derive(context.Config.Seed, StageName, "train");
        await using var lease = await context.LeaseAsync(FineTuneJob.MemoryFor(context, config, baseModel, resolution)).ConfigureAwait(false);
        var spec = new FineTuneJobSpec(
            Label(config),
            baseModel,
            context.Directory,
            new ParquetTrainingRows(dataset.TrainDirectory, config.Rows == TrainingRows.CleanOnly ? CleanOnly : BothClasses, DatasetSplit.Train, config.ShuffleBuffer, SeedDerivation.Derive(seed, "data")),
            config.TrainingData(resolution, seed),
            config.Trainer(seed),
            config.Objective,
            config,
            context.Models.Get(config.Model).Variant);
        var result = await Task.Run(() => FineTuneJob.RunAsync(context, lease, spec, ct), ct).ConfigureAwait(false);

        // The control's label says what it is for: a compare variant may train the same recipe as the safe model.
        var model = new ModelReady(produces, Attacked: false, result.ModelDirectory, produces == ModelVariant.Control ? $"control ({Label(config)})" : Label(config));
        context.AddArtifact(StageResultFile.Write(context.Run, context.Directory, new ModelMatrix([model])), "result");
        FineTuneJob.RecordMetrics(context, "", result);
        context.SetNote("method", Label(config));
        context.SetNote("base-model", baseModel);
        return model;
    }
}
