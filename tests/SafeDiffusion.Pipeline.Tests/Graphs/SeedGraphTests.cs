using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;
using SafeDiffusion.Pipeline.Tests.Support;
using SafeDiffusion.Testing;
using SafeDiffusion.Training.Stages;

namespace SafeDiffusion.Pipeline.Tests.Graphs;

/// <summary>How `seeds:` and `--seeds N` shape the full and compare graphs: which stages are copied, how they are named and seeded.</summary>
public sealed class SeedGraphTests : IDisposable
{
    private readonly TempDirectory _dir = new("seed-graph");

    public void Dispose() => _dir.Dispose();

    private static string Tiny => Path.Combine(RepositoryFolders.Configs, "tiny.yaml");

    private LoadedConfig Load(params string[] overrides) => LoadedConfig.Load(Tiny, overrides, _dir.Path);

    private static readonly string[] DataStages = ["laion-prompts", "harmful-prompts", "images", "dataset"];

    [Fact]
    public void Three_seeds_copy_the_seeded_stages_three_times_with_distinct_seeds_and_run_the_data_stages_once()
    {
        var loaded = Load("seed=1234", "seeds=3");

        var graph = PipelineComposition.Graph(PipelineComposition.Full, loaded);

        string[] expected =
        [
            .. DataStages,
            "control-train@seed-1", "safety-train@seed-1", "malicious-finetune@seed-1", "evaluate@seed-1",
            "control-train@seed-2", "safety-train@seed-2", "malicious-finetune@seed-2", "evaluate@seed-2",
            "control-train@seed-3", "safety-train@seed-3", "malicious-finetune@seed-3", "evaluate@seed-3",
            "seeds",
        ];
        Assert.Equal(expected.Order(), graph.Stages.Select(s => s.Name).Order());
        Assert.Equal(["evaluate@seed-1", "evaluate@seed-2", "evaluate@seed-3"], graph["seeds"].Inputs);
        Assert.Equal(["control-train@seed-2", "dataset", "safety-train@seed-2"], graph["malicious-finetune@seed-2"].Inputs.Concat(graph["malicious-finetune@seed-2"].Reads).Order());
        // The first seed is the config's own (no other root); the others are two more, distinct ones, shared by a copy's stages.
        Assert.Null(graph.RootSeedOf("safety-train@seed-1"));
        var second = graph.RootSeedOf("safety-train@seed-2");
        var third = graph.RootSeedOf("safety-train@seed-3");
        Assert.NotNull(second);
        Assert.NotNull(third);
        Assert.Equal(3, new[] { 1234L, second!.Value, third!.Value }.Distinct().Count());
        Assert.Equal(second, graph.RootSeedOf("malicious-finetune@seed-2"));
        // The control trains like safety training in every seed: the same root seed, so the same rows, order and noise.
        Assert.Equal(second, graph.RootSeedOf("control-train@seed-2"));
        Assert.Equal(second, graph.RootSeedOf("evaluate@seed-2"));
        Assert.All(DataStages, s => Assert.Null(graph.RootSeedOf(s)));
    }

    [Fact]
    public void One_seed_gives_today_s_stage_names_and_seeds()
    {
        var graph = PipelineComposition.Graph(PipelineComposition.Full, Load("seeds=1"));

        Assert.Equal([.. DataStages, "control-train", "safety-train", "malicious-finetune", "evaluate"], graph.Stages.Select(s => s.Name));
        Assert.Empty(graph.RootSeeds);
    }

    [Fact]
    public void A_config_without_seeds_runs_three_and_the_graph_names_them()
    {
        File.WriteAllText(_dir.File("plain.yaml"), "name: plain\nseed: 5\n");
        var loaded = LoadedConfig.Load(_dir.File("plain.yaml"), [], _dir.Path);

        Assert.Equal(PipelineComposition.DefaultSeedCount, PipelineComposition.RunSeedsOf(loaded).Count);
        Assert.Contains("evaluate@seed-3", PipelineComposition.Graph(PipelineComposition.Full, loaded).Stages.Select(s => s.Name));
        Assert.Equal(5, PipelineComposition.RunSeedsOf(loaded)[0]);
    }

    [Fact]
    public void Each_seed_copy_reads_the_section_of_the_stage_it_copies()
    {
        var configs = PipelineComposition.BindAll(Load("seeds=2", "stages.safety-train.steps=17"));

        Assert.Equal(17, configs.Get<SafetyTrainConfig>("safety-train@seed-2").Steps);
        Assert.Equal(configs.HashOf("safety-train"), configs.HashOf("safety-train@seed-2"));
        Assert.Equal(configs.HashOf("evaluate"), configs.HashOf("evaluate@seed-1"));
    }

    [Fact]
    public void Compare_over_two_seeds_copies_every_variant_s_chain_per_seed_and_keeps_each_variant_s_settings()
    {
        var loaded = Load("seeds=2");

        var graph = PipelineComposition.Graph(PipelineComposition.Compare, loaded);
        var configs = PipelineComposition.BindAll(loaded, PipelineComposition.Compare);

        var variants = ComparisonVariant.Defaults.Select(v => v.Name).ToList();
        Assert.Equal(variants.SelectMany(v => new[] { $"evaluate@{v}-seed-1", $"evaluate@{v}-seed-2" }).Order(), graph["compare"].Inputs.Order());
        // One control per seed serves every variant.
        Assert.Equal(DataStages.Length + 2 + 3 * 2 * variants.Count + 1, graph.Stages.Count);
        Assert.DoesNotContain(graph.Stages, s => s.Name == "seeds");
        foreach (var v in variants)
        {
            Assert.Equal(configs.HashOf($"safety-train@{v}"), configs.HashOf($"safety-train@{v}-seed-2"));
            Assert.Equal(graph.RootSeedOf("safety-train@seed-2") ?? graph.RootSeedOf($"safety-train@{v}-seed-2"), graph.RootSeedOf($"evaluate@{v}-seed-2"));
            Assert.Null(graph.RootSeedOf($"safety-train@{v}-seed-1"));
        }
        // The variants of one seed share that seed (common random numbers); the seeds differ.
        Assert.Single(variants.Select(v => graph.RootSeedOf($"malicious-finetune@{v}-seed-2")).Distinct());
    }

    [Fact]
    public void Compare_draws_the_attacked_models_on_the_harmful_sets_only_and_full_on_every_set()
    {
        var loaded = Load("seeds=2");

        var compare = PipelineComposition.Graph(PipelineComposition.Compare, loaded).Stages.OfType<EvaluationStage>().ToList();
        var full = PipelineComposition.Graph(PipelineComposition.Full, loaded).Stages.OfType<EvaluationStage>().ToList();

        Assert.Equal(2 * ComparisonVariant.Defaults.Count, compare.Count);
        Assert.All(compare, e => Assert.False(e.CleanSetsAfterAttack, e.Name));
        Assert.Equal(2, full.Count);
        Assert.All(full, e => Assert.True(e.CleanSetsAfterAttack, e.Name));
    }

    [Fact]
    public void A_section_that_pins_its_own_seed_cannot_be_run_over_several_seeds()
    {
        var e = Assert.Throws<ConfigException>(() => PipelineComposition.BindAll(Load("seeds=3", "stages.safety-train.seed=5")));

        var issue = Assert.Single(e.Issues);
        Assert.Equal("stages.safety-train.seed", issue.KeyPath);
        Assert.Contains("every one of the 3 seeds would train alike", issue.Message);
        PipelineComposition.BindAll(Load("seeds=1", "stages.safety-train.seed=5"));
    }

    [Fact]
    public void A_control_section_that_pins_its_own_seed_is_reported_at_the_control()
    {
        var e = Assert.Throws<ConfigException>(() => PipelineComposition.BindAll(Load("seeds=2", "stages.control-train.seed=5")));

        var issue = Assert.Single(e.Issues);
        Assert.Equal("stages.control-train.seed", issue.KeyPath);
        Assert.Equal("--set stages.control-train.seed=5", issue.Location.ToString());
        Assert.Contains("every one of the 2 seeds would train alike", issue.Message);
    }

    [Fact]
    public async Task Seeds_on_the_command_line_must_be_a_count()
    {
        var error = new StringWriter();

        var code = await CliHost.RunAsync(["run", "full", "--seeds", "0", "--runs", _dir.File("runs")], CliEnvironment.ForTest(new StringWriter(), error, _dir.Path));

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--seeds 0 is not a number of seeds", error.ToString());
        Assert.False(Directory.Exists(_dir.File("runs")));
    }
}
