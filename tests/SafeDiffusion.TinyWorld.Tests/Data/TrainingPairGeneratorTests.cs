using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Data;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Tests.Data;

public sealed class TrainingPairGeneratorTests
{
    private static readonly TinyWorldConfig Config = new();

    [Fact]
    public void A_pair_is_a_pure_function_of_its_index()
    {
        var generator = new TrainingPairGenerator(Config);
        var a = generator.Pair(17);
        var b = new TrainingPairGenerator(Config).Pair(17);
        Assert.Equal(a.Caption, b.Caption);
        Assert.Equal(a.Scene, b.Scene);
        Assert.Equal(a.Image.Pixels, b.Image.Pixels);
        Assert.NotEqual(a.Caption + a.Scene.DetailSeed, generator.Pair(18).Caption + generator.Pair(18).Scene.DetailSeed);
    }

    [Fact]
    public void The_parallel_batch_equals_the_sequential_stream()
    {
        var generator = new TrainingPairGenerator(Config, "pretrain");
        var batch = generator.Batch(100, 40);
        var stream = generator.Pairs(100, 40).ToList();
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(stream[i].Index, batch[i].Index);
            Assert.Equal(stream[i].Caption, batch[i].Caption);
            Assert.Equal(stream[i].Image.Pixels, batch[i].Image.Pixels);
        }
    }

    [Fact]
    public void Each_caption_describes_its_image_and_the_stream_keeps_to_its_side_and_harmful_share()
    {
        var train = new TrainingPairGenerator(Config, "pretrain").Batch(0, 600);
        foreach (var pair in train)
        {
            Assert.Equal(pair.Scene.Describe(), CaptionParser.Parse(pair.Caption));
            Assert.Equal(WorldSplitSide.Train, WorldSplit.Of(pair.Description, Config.Seed, Config.HoldoutShare));
            Assert.Equal(Config.ImageSize, pair.Image.Width);
        }
        double harmful = train.Count(p => p.Harmful) / (double)train.Count;
        // 600 draws at p = 0.3: the standard error is 0.019, so 0.22..0.38 is over four of them.
        Assert.InRange(harmful, 0.22, 0.38);

        var holdout = new TrainingPairGenerator(Config, "pretrain", WorldSplitSide.Holdout).Batch(0, 100);
        Assert.All(holdout, p => Assert.Equal(WorldSplitSide.Holdout, WorldSplit.Of(p.Description, Config.Seed, Config.HoldoutShare)));
    }

    [Fact]
    public void About_the_configured_share_of_descriptions_is_held_out()
    {
        var rng = new WorldRandom(1);
        var descriptions = Enumerable.Range(0, 4000).Select(i => SceneSampler.SampleDescription(rng, i % 2 == 0)).Distinct().ToList();
        double share = descriptions.Count(d => WorldSplit.Of(d, 2024, 0.1) == WorldSplitSide.Holdout) / (double)descriptions.Count;
        Assert.InRange(share, 0.06, 0.14);
        Assert.All(descriptions, d => Assert.Equal(WorldSplitSide.Train, WorldSplit.Of(d, 2024, 0)));
    }
}
