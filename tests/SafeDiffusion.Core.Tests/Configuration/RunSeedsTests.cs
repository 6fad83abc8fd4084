using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Core.Tests.Configuration;

public class RunSeedsTests
{
    private static IReadOnlyList<long> SeedsOf(string yaml, int defaultCount = 3)
    {
        var document = ConfigDocument.Parse(yaml, "test.yaml");
        var binder = new ConfigBinder(document);
        var config = binder.Bind<PipelineConfig>(document.Root, "");
        binder.ThrowIfAny();
        return RunSeeds.Of(config, document, defaultCount);
    }

    [Fact]
    public void Without_seeds_the_default_count_is_derived_and_the_first_is_the_config_s_seed()
    {
        var seeds = SeedsOf("seed: 1234\n");

        Assert.Equal(3, seeds.Count);
        Assert.Equal(1234, seeds[0]);
        Assert.Equal(SeedDerivation.Derive(1234, "seeds", "1"), seeds[1]);
        Assert.Equal(SeedDerivation.Derive(1234, "seeds", "2"), seeds[2]);
        Assert.Equal(3, seeds.Distinct().Count());
    }

    [Fact]
    public void A_count_derives_that_many_seeds_and_one_keeps_only_the_config_s_seed()
    {
        Assert.Equal([1234], SeedsOf("seed: 1234\nseeds: 1\n"));
        Assert.Equal(SeedsOf("seed: 1234\n"), SeedsOf("seed: 1234\nseeds: 3\n"));
        Assert.Equal(5, SeedsOf("seed: 9\nseeds: 5\n").Count);
    }

    [Fact]
    public void A_list_names_the_seeds_in_order()
    {
        Assert.Equal([7, 8, 1234], SeedsOf("seed: 1234\nseeds: [7, 8, 1234]\n"));
    }

    [Theory]
    [InlineData("seeds: 0\n", "not a count of seeds")]
    [InlineData("seeds: many\n", "not a count of seeds")]
    [InlineData("seeds: []\n", "empty list")]
    [InlineData("seeds: [1, x]\n", "'x' is not a seed")]
    [InlineData("seeds: [5, 5]\n", "seed 5 is listed twice")]
    [InlineData("seeds: { a: 1 }\n", "found a mapping")]
    public void A_wrong_seeds_entry_is_a_config_error_at_its_line(string yaml, string problem)
    {
        var e = Assert.Throws<ConfigException>(() => SeedsOf("seed: 1\n" + yaml));

        Assert.Contains(problem, e.Message);
        Assert.Contains("test.yaml:2", e.Message);
    }
}
