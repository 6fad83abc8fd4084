using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Training.Stages;
using SafeDiffusion.Training.Tests.Support;

namespace SafeDiffusion.Training.Tests.Stages;

/// <summary>Stands in for the lead's dataset stage: writes a tiny images dataset and dataset.json, emits DatasetReady.</summary>
internal sealed class FakeDatasetStage(int rows) : Stage<RunStarted, DatasetReady, FakeDatasetStage.Settings>
{
    public sealed class Settings;

    public override string Name => DatasetLocator.StageName;
    public override string Description => "tiny dataset for tests";

    public override IPropagatorBlock<RunStarted, DatasetReady> Build(StageContext context, Settings config) =>
        new TransformBlock<RunStarted, DatasetReady>(async _ =>
        {
            var train = await TinyDataset.WriteAsync(Path.Combine(context.Directory, "train"), rows, width: 40, height: 32);
            var holdout = await TinyDataset.WriteAsync(Path.Combine(context.Directory, "holdout"), 2, width: 40, height: 32);
            DatasetLocator.Write(context.Run, train, holdout);
            context.AddArtifact(DatasetLocator.PathIn(context.Run), "dataset");
            return Ready(context);
        });

    public override async IAsyncEnumerable<DatasetReady> ReplayAsync(StageContext context, Settings config, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask;
        yield return Ready(context);
    }

    private DatasetReady Ready(StageContext context) =>
        new(Path.Combine(context.Directory, "train"), Path.Combine(context.Directory, "holdout"), (rows + 1) / 2, rows / 2, 2);
}
