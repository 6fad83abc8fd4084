using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Core.Tests.Stages;

public sealed class StageContextTests : IDisposable
{
    private readonly TempDirectory _dir = new("stage-context");
    private readonly List<Run> _runs = [];

    public void Dispose()
    {
        foreach (var run in _runs) run.Dispose();
        _dir.Dispose();
    }

    private StageContext Context(string stageName, string yaml)
    {
        var document = ConfigDocument.Parse(yaml, "toy.yaml");
        var binder = new ConfigBinder(document.SourceName);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        var run = new RunStore(_dir.File($"runs-{_runs.Count}")).Create(document, config);
        _runs.Add(run);
        var env = new PipelineEnvironment(run, config, document, new DeviceScheduler([new DeviceSpec("cpu", ByteSize.FromGiB(1))]),
            NullProgressSink.Instance, new ModelCatalog(config.Models, [], _dir.Path), ShardSpec.All);
        return new StageContext(stageName, env, CancellationToken.None);
    }

    [Fact]
    public void Seeds_differ_by_stage_and_purpose_and_follow_the_root_seed()
    {
        var train = Context("safety-train", "name: toy\nseed: 1\n");

        Assert.Equal(train.SeedFor("train"), Context("safety-train", "name: toy\nseed: 1\n").SeedFor("train"));
        Assert.NotEqual(train.SeedFor("train"), train.SeedFor("data"));
        Assert.NotEqual(train.SeedFor("train"), Context("malicious-finetune", "name: toy\nseed: 1\n").SeedFor("train"));
        Assert.NotEqual(train.SeedFor("train"), Context("safety-train", "name: toy\nseed: 2\n").SeedFor("train"));
    }

    [Fact]
    public void A_variant_of_a_stage_draws_the_stage_s_own_seeds_so_compared_variants_share_their_random_numbers()
    {
        var attack = Context("malicious-finetune", "name: toy\nseed: 1\n");
        var lt = Context(StageVariant.Name("malicious-finetune", "lt"), "name: toy\nseed: 1\n");
        var ng = Context(StageVariant.Name("malicious-finetune", "ng"), "name: toy\nseed: 1\n");

        Assert.Equal("malicious-finetune@lt", lt.StageName);
        Assert.Equal(attack.SeedFor("attack"), lt.SeedFor("attack"));
        Assert.Equal(lt.SeedFor("attack"), ng.SeedFor("attack"));
        Assert.Equal("malicious-finetune", StageVariant.StageOf(lt.StageName));
        Assert.Equal("images", StageVariant.StageOf("images"));
    }
}
