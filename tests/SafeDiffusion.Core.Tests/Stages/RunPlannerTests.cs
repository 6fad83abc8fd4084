using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Core.Tests.Stages;

public class RunPlannerTests
{
    private static StageRecord Completed(string artifactSha, IReadOnlyDictionary<string, string>? inputs = null) => new()
    {
        Status = StageStatus.Completed,
        Artifacts = [new ArtifactRecord("out/part-0.bin", artifactSha, 10, "bin")],
        InputDigests = inputs,
    };

    private static RunManifest Manifest(params (string Name, StageRecord Record)[] stages) => new()
    {
        RunId = "r1",
        CreatedUtc = DateTimeOffset.UnixEpoch,
        ConfigName = "toy",
        ConfigSource = "toy.yaml",
        ConfigSha256 = "c",
        ConfigSnapshot = "",
        CodeVersion = "test",
        Stages = stages.ToDictionary(s => s.Name, s => s.Record),
    };

    private static string Digest(string artifactSha) => RunPlanner.OutputsDigest(Completed(artifactSha));

    private static StageGraph Chain() => new("toy", [new CountStage(), new ScaleStage(), new SumStage()]);

    /// <summary>The plan for <paramref name="execute"/> over the fixture's run <paramref name="runId"/> under <paramref name="overrides"/>.</summary>
    private static RunPlan PlanFor(GraphFixture f, StageGraph graph, string runId, IEnumerable<string> execute, bool force = false, params string[] overrides)
    {
        var document = ConfigDocument.Parse(f.Yaml, "toy.yaml").WithOverrides(overrides);
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        using var run = f.Store.Open(runId);
        return RunPlanner.Plan(graph, StageConfigs.Bind(graph.Stages, config, document), run, new RunSelection(execute.ToHashSet(), force));
    }

    [Fact]
    public async Task After_a_complete_run_every_unchanged_stage_is_skipped()
    {
        using var f = new GraphFixture();
        var graph = Chain();
        var (_, runId) = await f.RunAsync(graph);

        var plan = PlanFor(f, graph, runId, ["count", "scale", "sum"]);

        Assert.Equal(["count", "scale", "sum"], plan.Skip);
        Assert.Empty(plan.Execute);
    }

    [Fact]
    public async Task A_changed_config_executes_its_stage_and_everything_fed_by_it_and_replays_what_feeds_it()
    {
        using var f = new GraphFixture();
        var graph = Chain();
        var (_, runId) = await f.RunAsync(graph);

        var plan = PlanFor(f, graph, runId, ["count", "scale", "sum"], overrides: "stages.scale.factor=3");

        Assert.Equal(["scale", "sum"], plan.Execute);
        Assert.Equal(["count"], plan.Skip);
        Assert.Equal(["count"], plan.Replay);
        Assert.Empty(plan.Discard);
    }

    [Fact]
    public async Task A_stage_whose_config_changed_since_it_ran_executes_again_when_it_feeds_an_executing_stage_instead_of_being_replayed()
    {
        using var f = new GraphFixture();
        // Two sources feed scale; as with the control, whose section follows safety-train's, a change can reach the
        // config of a stage outside the one asked for.
        var graph = new StageGraph("toy", [new CountStage(), new CountStage("other"), new ScaleStage("count", "other"), new SumStage()]);
        var (_, runId) = await f.RunAsync(graph);

        // From scale on, with another factor; "other" is not asked for, but it counts differently now, so its
        // recorded outputs were made with other settings than scale would be fed under this config.
        var plan = PlanFor(f, graph, runId, ["scale", "sum"], overrides: ["stages.scale.factor=3", "stages.other.count=3"]);

        Assert.Equal(["other", "scale", "sum"], plan.Execute);
        Assert.Equal(["count"], plan.Replay);
    }

    [Fact]
    public async Task Force_executes_unchanged_stages_from_nothing()
    {
        using var f = new GraphFixture();
        var graph = Chain();
        var (_, runId) = await f.RunAsync(graph);

        var plan = PlanFor(f, graph, runId, ["scale"], force: true);

        Assert.Equal(["scale"], plan.Execute);
        Assert.Equal(["scale"], plan.Discard);
        Assert.Empty(plan.Resume);
    }

    [Fact]
    public async Task A_stage_an_interrupted_execution_left_running_resumes()
    {
        using var f = new GraphFixture();
        var graph = Chain();
        var (_, runId) = await f.RunAsync(graph);
        using (var run = f.Store.Open(runId)) run.UpdateStage("sum", r => r with { Status = StageStatus.Running });

        var plan = PlanFor(f, graph, runId, ["sum"]);

        Assert.Equal(["sum"], plan.Execute);
        Assert.Equal(["sum"], plan.Resume);
        Assert.Equal(["scale"], plan.Replay);
    }

    [Fact]
    public async Task Stale_stages_that_do_not_execute_are_in_the_plan_with_where_to_rerun_from()
    {
        using var f = new GraphFixture();
        var graph = Chain();
        var (_, runId) = await f.RunAsync(graph);
        await f.RunAsync(graph, new HashSet<string> { "count" }, runId, overrides: "stages.count.count=3");

        var plan = PlanFor(f, graph, runId, ["count"], overrides: "stages.count.count=3");

        Assert.Equal(["count"], plan.Skip);
        Assert.Equal(["scale", "sum"], plan.Stale.Select(s => s.Stage));
        Assert.All(plan.Stale, s => Assert.Equal("scale", s.RerunFrom));
    }

    [Fact]
    public async Task An_input_that_never_completed_is_refused_with_the_command_that_fixes_it()
    {
        using var f = new GraphFixture();
        var graph = Chain();
        var (_, runId) = await f.RunAsync(graph, new HashSet<string> { "count" });

        var e = Assert.Throws<UsageException>(() => PlanFor(f, graph, runId, ["sum"]));

        Assert.Contains("no completed output of scale", e.Message);
        Assert.Contains("--from scale", e.Message);
    }

    [Fact]
    public void A_stage_whose_input_changed_since_it_ran_is_stale_and_so_is_everything_reading_it()
    {
        var manifest = Manifest(
            ("train", Completed("new-weights")),
            ("attack", Completed("attacked", new Dictionary<string, string> { ["train"] = Digest("old-weights") })),
            ("evaluate", Completed("report", new Dictionary<string, string> { ["attack"] = Digest("attacked") })));

        var stale = RunPlanner.StaleStages(manifest);

        Assert.Equal(["attack", "evaluate"], stale.Select(s => s.Stage));
        Assert.Equal(("train", "attack"), (stale[0].ChangedInput, stale[0].RerunFrom));
        Assert.Equal(("attack", "attack"), (stale[1].ChangedInput, stale[1].RerunFrom));
        Assert.Equal("pipeline run --from attack --run r1", stale[1].RefreshCommand("r1"));
        var line = Assert.Single(StaleStage.Describe(stale, "r1"));
        Assert.Equal("stale: attack, evaluate (train changed since they ran); refresh with `pipeline run --from attack --run r1`", line);
    }

    [Fact]
    public void Stages_whose_inputs_are_as_they_were_are_not_stale()
    {
        var manifest = Manifest(
            ("train", Completed("weights")),
            ("attack", Completed("attacked", new Dictionary<string, string> { ["train"] = Digest("weights") })));

        Assert.Empty(RunPlanner.StaleStages(manifest));
    }

    [Fact]
    public void An_input_that_failed_or_never_completed_makes_the_rerun_start_at_that_input()
    {
        var manifest = Manifest(
            ("train", new StageRecord { Status = StageStatus.Failed }),
            ("attack", Completed("attacked", new Dictionary<string, string> { ["train"] = Digest("weights") })));

        var stale = Assert.Single(RunPlanner.StaleStages(manifest));

        Assert.Equal(("attack", "train"), (stale.Stage, stale.RerunFrom));
    }

    [Fact]
    public void A_variant_stage_is_refreshed_through_the_compare_graph()
    {
        var stale = new StaleStage("evaluate@lt", "malicious-finetune@lt", "malicious-finetune@lt");

        Assert.Equal("pipeline run compare --from malicious-finetune@lt --run r9", stale.RefreshCommand("r9"));
    }

    [Fact]
    public void Stages_recorded_without_input_digests_are_never_reported()
    {
        var manifest = Manifest(("train", Completed("new")), ("attack", Completed("attacked")));

        Assert.Empty(RunPlanner.StaleStages(manifest));
    }

    [Fact]
    public async Task Rerunning_an_upstream_stage_alone_with_other_settings_leaves_its_downstream_stages_stale()
    {
        using var f = new GraphFixture();
        var graph = new StageGraph("toy", [new CountStage(), new ScaleStage(), new SumStage()]);
        var (_, runId) = await f.RunAsync(graph);
        Assert.Empty(RunPlanner.StaleStages(f.Manifest(runId)));

        await f.RunAsync(graph, new HashSet<string> { "count" }, runId, overrides: "stages.count.count=3");

        var stale = RunPlanner.StaleStages(f.Manifest(runId));
        Assert.Equal(["scale", "sum"], stale.Select(s => s.Stage));
        Assert.All(stale, s => Assert.Equal("scale", s.RerunFrom));

        await f.RunAsync(graph, graph.FromStage("scale").ToHashSet(), runId, overrides: "stages.count.count=3");
        Assert.Empty(RunPlanner.StaleStages(f.Manifest(runId)));
    }
}
