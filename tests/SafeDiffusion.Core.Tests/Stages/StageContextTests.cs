using SafeDiffusion.Core.Stages;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Core.Tests.Stages;

public sealed class StageContextTests : IDisposable
{
    private readonly ToyRuns _runs = new("stage-context");

    public void Dispose() => _runs.Dispose();

    private StageContext Context(string stageName, string yaml) => new(stageName, _runs.Create(yaml), CancellationToken.None);

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

    [Fact]
    public void A_seed_copy_draws_every_purpose_from_its_own_root_seed_and_sees_it_as_the_config_s_seed()
    {
        const string Yaml = "name: toy\nseed: 1\n";
        var plain = Context("safety-train", Yaml);
        var seed2 = new StageContext(StageVariant.Name("safety-train", "seed-2"), _runs.Create(Yaml), CancellationToken.None, rootSeed: 77);
        var seed1 = new StageContext(StageVariant.Name("safety-train", "seed-1"), _runs.Create(Yaml), CancellationToken.None, rootSeed: 1);

        Assert.Equal(77, seed2.Config.Seed);
        Assert.Equal(Context("safety-train", "name: toy\nseed: 77\n").SeedFor("train"), seed2.SeedFor("train"));
        Assert.NotEqual(plain.SeedFor("train"), seed2.SeedFor("train"));
        // The first seed is the run's own: its copy draws exactly what the plain stage draws.
        Assert.Equal(plain.SeedFor("train"), seed1.SeedFor("train"));
        Assert.Equal(1, seed1.Config.Seed);
    }
}
