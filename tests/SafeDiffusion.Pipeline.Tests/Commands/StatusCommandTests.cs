using System.Text.Json;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Pipeline.Tests.Commands;

/// <summary>`pipeline status` over a runs folder with no scheduler: runs in progress, last success, last failure.</summary>
public sealed class StatusCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("status-command");
    private static readonly ConfigDocument Document = ConfigDocument.Parse("name: status-test\n", "status-test.yaml");
    private static readonly PipelineConfig Config = new() { Name = "status-test" };

    private async Task<(int Code, string Out, string Err)> Pipeline(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliHost.RunAsync(args, CliEnvironment.ForTest(output, error, _dir.Path));
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Status_reports_the_running_stage_and_the_last_success_and_failure_with_its_reason()
    {
        var store = new RunStore(_dir.File("runs"));
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 2, 0, 0, TimeSpan.Zero));
        string Finished(RunStatus status, string? error)
        {
            clock.Advance(TimeSpan.FromHours(1));
            using var run = store.Create(Document, Config, clock: clock);
            run.RecordOutcome(new RunOutcome { Status = status, FinishedUtc = clock.GetUtcNow(), Graph = "data", Trigger = RunTrigger.Scheduled, Error = error });
            return run.Id;
        }
        var success = Finished(RunStatus.Succeeded, null);
        var failure = Finished(RunStatus.Failed, "Stage images failed: model folder unet/config.json is missing.");
        store.PointTo(RunStore.LatestData, success);
        clock.Advance(TimeSpan.FromHours(1));
        using var running = store.Create(Document, Config, "1/4", clock);
        var since = new DateTimeOffset(2026, 4, 1, 5, 30, 0, TimeSpan.Zero);
        running.UpdateStage("images", r => r with { Status = StageStatus.Running, StartedUtc = since });

        var (code, text, err) = await Pipeline("status", "--runs", store.Root);

        Assert.True(code == 0, err);
        Assert.Contains($"running: {running.Id} (shard 1/4), stage images since 2026-04-01 05:30:00Z", text);
        Assert.Contains($"latest-data: {success}", text);
        Assert.Contains($"last success: {success}", text);
        Assert.Contains($"last failure: {failure}", text);
        Assert.Contains("unet/config.json is missing", text);
        Assert.Contains("scheduler: none has served this runs folder", text);

        var (jsonCode, json, _) = await Pipeline("status", "--runs", store.Root, "--json");
        Assert.Equal(0, jsonCode);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(success, doc.RootElement.GetProperty("lastSuccess").GetProperty("runId").GetString());
        Assert.Equal("failed", doc.RootElement.GetProperty("lastFailure").GetProperty("status").GetString());
        Assert.Equal("images", doc.RootElement.GetProperty("running")[0].GetProperty("stage").GetString());
        Assert.False(doc.RootElement.GetProperty("schedulerRunning").GetBoolean());
    }

    [Fact]
    public async Task Status_names_the_stages_a_rerun_upstream_left_stale_and_the_command_that_refreshes_them()
    {
        var store = new RunStore(_dir.File("runs"));
        using (var run = store.Create(Document, Config))
        {
            var oldWeights = new StageRecord { Status = StageStatus.Completed, Artifacts = [new ArtifactRecord("safety-train/unet.safetensors", "old", 1, "model")] };
            var newWeights = oldWeights with { Artifacts = [new ArtifactRecord("safety-train/unet.safetensors", "new", 1, "model")] };
            var attacked = new StageRecord
            {
                Status = StageStatus.Completed,
                Artifacts = [new ArtifactRecord("malicious-finetune/unet.safetensors", "attacked", 1, "model")],
                InputDigests = new Dictionary<string, string> { ["safety-train"] = RunPlanner.OutputsDigest(oldWeights) },
            };
            run.UpdateStage("safety-train", _ => newWeights);
            run.UpdateStage("malicious-finetune", _ => attacked);
            run.UpdateStage("evaluate", _ => new StageRecord
            {
                Status = StageStatus.Completed,
                InputDigests = new Dictionary<string, string> { ["malicious-finetune"] = RunPlanner.OutputsDigest(attacked) },
            });
            run.RecordOutcome(new RunOutcome { Status = RunStatus.Succeeded, FinishedUtc = DateTimeOffset.UtcNow, Graph = "safety-train" });
        }
        var id = store.Resolve(RunStore.Latest);

        var (code, text, err) = await Pipeline("status", "--runs", store.Root);

        Assert.True(code == 0, err);
        Assert.Contains($"stale: malicious-finetune, evaluate (safety-train changed since they ran); refresh with `pipeline run --from malicious-finetune --run {id}`", text);
    }

    public void Dispose() => _dir.Dispose();
}
