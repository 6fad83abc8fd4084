using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Core.Tests.Stages;

public class GraphRunnerTests
{
    private static StageGraph Chain(out CountStage count, out ScaleStage scale, out SumStage sum)
    {
        count = new CountStage();
        scale = new ScaleStage();
        sum = new SumStage();
        return new StageGraph("toy", [sum, scale, count]);
    }

    [Fact]
    public async Task A_full_run_streams_records_through_every_stage_and_records_the_manifest()
    {
        using var f = new GraphFixture();
        var graph = Chain(out _, out _, out _);

        var (result, runId) = await f.RunAsync(graph);

        var total = Assert.IsType<Total>(Assert.Single(result.Outputs));
        Assert.Equal(2 * (1 + 2 + 3 + 4 + 5), total.Sum);
        var manifest = f.Manifest(runId);
        Assert.All(["count", "scale", "sum"], s => Assert.Equal(StageStatus.Completed, manifest.Stages[s].Status));
        var artifact = Assert.Single(manifest.Stages["sum"].Artifacts);
        Assert.Equal("sum/total.txt", artifact.Path);
        Assert.Equal(SafeDiffusion.Core.IO.FileHash.Sha256(Path.Combine(f.Store.Root, runId, "sum", "total.txt")), artifact.Sha256);
        Assert.Equal(5, manifest.Stages["count"].Metrics["count"]);
        Assert.NotNull(manifest.Stages["scale"].Fingerprint);
        Assert.Contains("name: toy", manifest.ConfigSnapshot);
        Assert.Equal(runId, f.Store.Resolve("latest"));
    }

    [Fact]
    public async Task One_stage_reruns_alone_from_the_runs_recorded_upstream_artifacts()
    {
        using var f = new GraphFixture();
        var graph = Chain(out var count, out var scale, out var sum);
        var (_, runId) = await f.RunAsync(graph);

        var (result, _) = await f.RunAsync(graph, new HashSet<string> { "sum" }, runId, force: true, overrides: "stages.sum.label=again");

        Assert.Equal(["sum"], result.Executed);
        Assert.Equal(["scale"], result.Replayed);
        Assert.Equal((1, 1, 2), (count.Executions, scale.Executions, sum.Executions));
        var total = Assert.IsType<Total>(Assert.Single(result.Outputs));
        Assert.Equal(("again", 30L), (total.Label, total.Sum));
    }

    [Fact]
    public async Task An_unchanged_stage_is_skipped_unless_forced_and_a_changed_config_reruns_it()
    {
        using var f = new GraphFixture();
        var graph = Chain(out var count, out var scale, out _);
        var (_, runId) = await f.RunAsync(graph);

        var (again, _) = await f.RunAsync(graph, runId: runId);
        Assert.Equal(["count", "scale", "sum"], again.Skipped);
        Assert.Empty(again.Executed);

        var (forced, _) = await f.RunAsync(graph, new HashSet<string> { "scale" }, runId, force: true);
        Assert.Equal(["scale"], forced.Executed);
        Assert.Equal(2, scale.Executions);

        var (changed, _) = await f.RunAsync(graph, new HashSet<string> { "scale" }, runId, overrides: "stages.scale.factor=3");
        Assert.Equal(["scale"], changed.Executed);
        Assert.Equal(1, count.Executions);
    }

    [Fact]
    public async Task Force_discards_what_the_forced_stage_left_in_its_folder_and_nothing_else()
    {
        using var f = new GraphFixture();
        var graph = Chain(out _, out _, out _);
        var (_, runId) = await f.RunAsync(graph);
        var scaleLeftover = Path.Combine(f.Store.Root, runId, "scale", "part-from-an-earlier-execution.txt");
        var countLeftover = Path.Combine(f.Store.Root, runId, "count", "notes.txt");
        File.WriteAllText(scaleLeftover, "resumable rows of other inputs");
        File.WriteAllText(countLeftover, "kept");

        await f.RunAsync(graph, new HashSet<string> { "scale" }, runId, force: true);

        Assert.False(File.Exists(scaleLeftover));
        Assert.True(File.Exists(Path.Combine(f.Store.Root, runId, "scale", "values.txt")));
        Assert.True(File.Exists(countLeftover));
    }

    [Fact]
    public async Task From_a_stage_reruns_it_and_everything_downstream()
    {
        using var f = new GraphFixture();
        var graph = Chain(out var count, out var scale, out var sum);
        var (_, runId) = await f.RunAsync(graph);

        var (result, _) = await f.RunAsync(graph, graph.FromStage("scale").ToHashSet(), runId, overrides: "stages.scale.factor=10");

        Assert.Equal(["scale", "sum"], result.Executed);
        Assert.Equal(150L, Assert.IsType<Total>(Assert.Single(result.Outputs)).Sum);
        Assert.Equal(1, count.Executions);
    }

    [Fact]
    public async Task A_stage_whose_upstream_never_completed_in_the_run_is_refused_with_the_fix()
    {
        using var f = new GraphFixture();
        var graph = Chain(out _, out _, out _);
        var (_, runId) = await f.RunAsync(graph, new HashSet<string> { "count" });

        var e = await Assert.ThrowsAsync<UsageException>(() => f.RunAsync(graph, new HashSet<string> { "sum" }, runId));
        Assert.Contains("scale", e.Message);
        Assert.Contains("--from scale", e.Message);
    }

    [Fact]
    public async Task A_fault_cancels_the_other_stages_and_is_reported_once_naming_the_stage()
    {
        using var f = new GraphFixture();
        var graph = Chain(out _, out _, out _);

        var e = await Assert.ThrowsAsync<StageFailedException>(() => f.RunAsync(graph, overrides: "stages.scale.failOn=3"));

        Assert.Equal("scale", e.Stage);
        Assert.Contains("value 3 is cursed", e.Message);
        var manifest = f.Store.ReadManifest("latest");
        Assert.Equal(StageStatus.Failed, manifest.Stages["scale"].Status);
        Assert.Equal(StageStatus.Cancelled, manifest.Stages["sum"].Status);
        Assert.Equal("stopped because scale failed", manifest.Stages["sum"].Error);
    }

    [Fact]
    public async Task Cancellation_stops_the_graph_and_marks_stages_cancelled()
    {
        using var f = new GraphFixture();
        var graph = Chain(out _, out _, out _);
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => f.RunAsync(graph, ct: cts.Token));

        var manifest = f.Store.ReadManifest("latest");
        Assert.All(manifest.Stages.Values, s => Assert.Equal(StageStatus.Cancelled, s.Status));
    }

    [Fact]
    public async Task Two_sources_feed_one_stage_which_completes_only_after_both()
    {
        using var f = new GraphFixture();
        var graph = new StageGraph("fan-in", [new CountStage("count"), new CountStage("more"), new ScaleStage("count", "more"), new SumStage()]);

        var (result, _) = await f.RunAsync(graph, overrides: ["stages.more.start=100", "stages.more.count=2"]);

        Assert.Equal(2L * (15 + 100 + 101), Assert.IsType<Total>(Assert.Single(result.Outputs)).Sum);
    }

    [Fact]
    public async Task A_stage_that_fails_holding_a_device_lease_has_it_released()
    {
        using var f = new GraphFixture();
        var graph = new StageGraph("lease", [new CountStage(), new LeaseThenFailStage()]);

        var e = await Assert.ThrowsAsync<StageFailedException>(() => f.RunAsync(graph));

        Assert.Equal("lease-then-fail", e.Stage);
        Assert.Equal(0, f.Devices.Used("cpu").Bytes);
    }

    [Fact]
    public void A_graph_with_mismatched_record_types_or_a_cycle_is_rejected_when_built()
    {
        var typeError = Assert.Throws<InvalidOperationException>(() => new StageGraph("bad", [new CountStage(), new SumStage()]));
        Assert.Contains("unknown stage scale", typeError.Message);
    }

    [Fact]
    public async Task A_config_section_for_an_unknown_stage_is_a_config_error_with_a_suggestion()
    {
        using var f = new GraphFixture("name: toy\nstages:\n  scael:\n    factor: 2\n");
        var graph = Chain(out _, out _, out _);
        var e = await Assert.ThrowsAsync<Errors.ConfigException>(() => f.RunAsync(graph));
        Assert.Contains("Did you mean 'scale'", e.Message);
        Assert.Equal(3, e.Issues[0].Location.Line);
    }

    [Fact]
    public void The_graph_renders_every_stage_with_its_inputs()
    {
        var text = Chain(out _, out _, out _).Render();
        Assert.Contains("scale", text);
        Assert.Contains("<- count", text);
        Assert.Contains("[Int32 -> Total]", text);
    }
}
