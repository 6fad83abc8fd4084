using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Training.Data;
using SafeDiffusion.Training.Engine;

namespace SafeDiffusion.Training.Tests.Support;

/// <summary>Runs a trainer over a tiny dataset for tests.</summary>
internal static class TrainingHarness
{
    public static readonly IReadOnlySet<PromptLabel> BothLabels = new HashSet<PromptLabel> { PromptLabel.Clean, PromptLabel.Harmful };

    public static ITrainingRowSource Rows(string dataset, long seed = 11, IReadOnlySet<PromptLabel>? labels = null) =>
        new ParquetTrainingRows(dataset, labels ?? BothLabels, DatasetSplit.Train, shuffleBuffer: 64, seed);

    public static TrainingDataOptions Data(int resolution = 64, int batch = 1, int workers = 1) => new()
    {
        Image = new ImagePreprocessing(resolution),
        BatchSize = batch,
        Workers = workers,
        Seed = 5,
    };

    /// <summary>Trains until the trainer has taken <paramref name="until"/> steps, starting where its state says.</summary>
    public static async Task<List<StepMetrics>> RunAsync(DiffusionTrainer trainer, ITrainingRowSource rows, TrainingDataOptions data, int until)
    {
        var metrics = new List<StepMetrics>();
        await using var source = TrainingDataSource.Start(rows, data, trainer.Model.Tokenizer, trainer.State.Next);
        while (trainer.State.Step < until) metrics.Add(await trainer.StepAsync(source));
        return metrics;
    }
}
