using System.Diagnostics;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Tests.Support;

namespace SafeDiffusion.Pipeline.Tests.Serving;

/// <summary>
/// The atomicity claim with a real kill: a `pipeline run data` process killed (SIGKILL) while it writes images
/// leaves runs/latest-data where it was and only whole parts behind; rerunning the same run resumes and only then
/// moves latest-data.
/// </summary>
public sealed class KilledRunTests : IDisposable
{
    private readonly DataGraphWorkspace _work = new("killed-run");

    [Trait("Category", "Slow")]
    [Fact]
    public async Task A_data_run_killed_while_writing_images_leaves_latest_data_unchanged_and_resumes()
    {
        // Enough images that the kill lands while they are written: with 8, a fast machine finished the run between
        // seeing the first part and the kill, and latest-data moved on.
        var config = _work.WriteConfig(captions: 24, harmfulPerCategory: 8);
        // One image per part and per batch: the kill lands between parts with some already written.
        string[] slow = ["--set", "stages.images.batch-size=1", "--set", "stages.images.rows-per-part=1", "--set", "stages.images.row-group-rows=1"];
        var store = new RunStore(_work.Runs);
        var good = PreviousGoodRun(store);

        var pipelineDll = typeof(CliHost).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _work.Path, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { pipelineDll, "run", "data", "--config", config }.Concat(slow)) start.ArgumentList.Add(arg);
        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        _ = child.StandardOutput.ReadToEndAsync();

        string? killed = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline && !child.HasExited)
        {
            var latest = store.ReadPointer(RunStore.Latest);
            if (latest is not null && latest != good
                && Directory.Exists(Path.Combine(store.Root, latest, "images"))
                && PartFiles.List(Path.Combine(store.Root, latest, "images")).Count >= 1)
            {
                child.Kill(entireProcessTree: true);
                killed = latest;
                break;
            }
            await Task.Delay(10);
        }
        await child.WaitForExitAsync();
        Assert.True(killed is not null, $"the child should have been caught writing images; it exited with {child.ExitCode}:\n{await stderr}");

        Assert.Equal(good, store.ReadPointer(RunStore.LatestData));
        var manifest = store.ReadManifest(killed);
        Assert.Null(manifest.Outcome);
        Assert.NotEqual(StageStatus.Completed, manifest.Stages["images"].Status);
        Assert.False(store.IsActive(killed));
        // Every part a reader can see is whole: each one opens and reads to the end.
        var images = Path.Combine(store.Root, killed, "images");
        var rows = await new ParquetPartReader<ImageRecord>(ImagesSchema.Instance).ReadAsync(images).ToListAsync();
        Assert.Equal(PartFiles.List(images).Count, rows.Count);

        var (resumed, _, resumeErr) = await _work.PipelineAsync(["run", "data", "--config", config, "--run", killed, .. slow]);
        Assert.True(resumed == 0, resumeErr);
        Assert.Equal(killed, store.ReadPointer(RunStore.LatestData));
        var after = store.ReadManifest(killed);
        Assert.Equal(RunStatus.Succeeded, after.Outcome!.Status);
        Assert.True(after.Stages["images"].Metrics["images_resumed"] >= rows.Count, resumeErr);
    }

    /// <summary>A finished run that latest-data names, standing for last night's data.</summary>
    private static string PreviousGoodRun(RunStore store)
    {
        var document = Core.Configuration.ConfigDocument.Parse("name: last-night\n", "last-night.yaml");
        using var run = store.Create(document, new Core.Configuration.PipelineConfig { Name = "last-night" });
        run.RecordOutcome(new RunOutcome { Status = RunStatus.Succeeded, FinishedUtc = DateTimeOffset.UtcNow, Graph = "data" });
        store.PointTo(RunStore.LatestData, run.Id);
        return run.Id;
    }

    public void Dispose() => _work.Dispose();
}
