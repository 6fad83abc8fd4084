using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Stages;
using SafeDiffusion.Training.Tests.Support;

namespace SafeDiffusion.Training.Tests.Stages;

/// <summary>Stands in for the dataset stage (which needs the prompt and image stages upstream): a tiny dataset, its dataset.json, DatasetReady.</summary>
internal sealed class FakeDatasetStage(int rows) : Stage<RunStarted, DatasetReady, FakeDatasetStage.Settings>
{
    public sealed class Settings;

    public override string Name => DatasetStage.DefaultName;
    public override string Description => "tiny dataset for tests";

    public override IPropagatorBlock<RunStarted, DatasetReady> Build(StageContext context, Settings config) =>
        new TransformBlock<RunStarted, DatasetReady>(async _ =>
        {
            var train = await TinyDataset.WriteAsync(Path.Combine(context.Directory, "train"), rows, width: 40, height: 32);
            var holdout = await TinyDataset.WriteAsync(Path.Combine(context.Directory, "holdout"), 2, width: 40, height: 32);
            var manifest = Path.Combine(context.Directory, DatasetManifest.FileName);
            new DatasetManifest(Path.GetRelativePath(context.Run.Directory, train), Path.GetRelativePath(context.Run.Directory, holdout),
                (rows + 1) / 2, rows / 2, 2, new Dictionary<string, long>()).Write(manifest);
            context.AddArtifact(manifest, "dataset-manifest");
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
