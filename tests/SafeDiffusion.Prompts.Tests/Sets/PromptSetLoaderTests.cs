using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Sets;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Prompts.Tests.Sets;

public class PromptSetLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string WriteLines(string name, IEnumerable<string> lines)
    {
        var path = _dir.File(name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private static readonly string[] Lines = Enumerable.Range(0, 200).Select(i => $"prompt number {i} of the held-out set").ToArray();

    [Fact]
    public async Task Sampling_is_seeded_sized_and_independent_of_the_file_order()
    {
        WriteLines("ordered.txt", Lines);
        WriteLines("shuffled.txt", Lines.OrderBy(l => StableOrder(l)));
        var set = new PromptSetConfig { Name = "heldout", Path = "ordered.txt", Kind = PromptSetKind.Text, SampleSize = 25, Seed = 11 };

        var a = await PromptSetLoader.LoadAsync(set, runSeed: 1, _dir.Path);
        var again = await PromptSetLoader.LoadAsync(set, runSeed: 1, _dir.Path);
        var shuffled = await PromptSetLoader.LoadAsync(set with { Path = "shuffled.txt" }, runSeed: 1, _dir.Path);
        var otherSeed = await PromptSetLoader.LoadAsync(set with { Seed = 12 }, runSeed: 1, _dir.Path);

        Assert.Equal(25, a.Prompts.Count);
        Assert.Equal(200, a.RowsRead);
        Assert.Equal(a.Prompts.Select(p => p.Record.Text), again.Prompts.Select(p => p.Record.Text));
        Assert.Equal(a.Prompts.Select(p => p.Record.Text), shuffled.Prompts.Select(p => p.Record.Text));
        Assert.NotEqual(a.Prompts.Select(p => p.Record.Text).ToHashSet(), otherSeed.Prompts.Select(p => p.Record.Text).ToHashSet());
        Assert.All(a.Prompts, p => Assert.Contains(p.Record.Text, Lines));
    }

    [Fact]
    public async Task A_sample_size_of_zero_keeps_every_prompt_in_file_order()
    {
        WriteLines("all.txt", Lines[..10]);
        var set = new PromptSetConfig { Name = "heldout", Path = "all.txt", Kind = PromptSetKind.Text };
        var loaded = await PromptSetLoader.LoadAsync(set, 1, _dir.Path);
        Assert.Equal(Lines[..10], loaded.Prompts.Select(p => p.Record.Text));
    }

    [Fact]
    public async Task I2p_prompts_keep_their_own_seed_and_guidance_and_take_the_label_from_the_config()
    {
        var path = _dir.File("i2p.csv");
        File.WriteAllText(path, "prompt,categories,sd_seed,sd_guidance_scale\n\"a, b c\",hate,77,7.5\nd e f,,,\n");
        var set = new PromptSetConfig { Name = "i2p", Path = path, Kind = PromptSetKind.I2p, Label = PromptLabel.Harmful };

        var loaded = await PromptSetLoader.LoadAsync(set, runSeed: 5, _dir.Path);

        var first = loaded.Prompts[0].Record;
        Assert.Equal(PromptLabel.Harmful, first.Label);
        Assert.Equal("i2p", first.Source);
        Assert.Equal("hate", first.Category);
        Assert.Equal(77, first.Seed);
        Assert.Equal(7.5, first.Guidance);
        Assert.Equal(PromptRecord.StableId("i2p", "a, b c"), first.PromptId);
        Assert.Equal("i2p:i2p.csv", first.Generator);

        var second = loaded.Prompts[1].Record;
        Assert.Equal("i2p", second.Category); // no category in the row: the set's name
        Assert.Null(second.Guidance);
        Assert.Equal(SeedDerivation.Derive(5, "prompt-set", "i2p", second.PromptId), second.Seed);
    }

    [Fact]
    public async Task Repeated_texts_are_dropped_and_counted_unless_deduplication_is_off()
    {
        WriteLines("dups.txt", ["a red car", "a  red car", "a blue car", "a red car"]);
        var set = new PromptSetConfig { Name = "coco", Path = "dups.txt", Kind = PromptSetKind.Text, Category = "caption" };

        var deduped = await PromptSetLoader.LoadAsync(set, 1, _dir.Path);
        var all = await PromptSetLoader.LoadAsync(set with { Deduplicate = false }, 1, _dir.Path);

        Assert.Equal(new[] { "a red car", "a blue car" }, deduped.Prompts.Select(p => p.Record.Text));
        Assert.Equal(2, deduped.DuplicatesDropped);
        Assert.Equal(4, all.Prompts.Count);
        Assert.All(deduped.Prompts, p => Assert.Equal("caption", p.Record.Category));
        Assert.All(deduped.Prompts, p => Assert.Equal(PromptLabel.Clean, p.Record.Label));
    }

    private static int StableOrder(string s) => s.Aggregate(17, (h, c) => unchecked(h * 31 + c)) % 1000;
}
