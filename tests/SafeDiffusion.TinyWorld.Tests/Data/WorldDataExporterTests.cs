using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Datasets.Foreign;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Laion;
using SafeDiffusion.Prompts.Sets;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Captions;
using SafeDiffusion.TinyWorld.Configuration;
using SafeDiffusion.TinyWorld.Data;

namespace SafeDiffusion.TinyWorld.Tests.Data;

public sealed class WorldDataExporterTests : IDisposable
{
    private static readonly TinyWorldConfig World = new() { CleanCaptions = 300, HarmfulCaptions = 200, HeldoutCaptions = 50 };
    private readonly TempDirectory _temp = new("tinyworld-export");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_laion_file_is_read_by_the_pipelines_laion_caption_source_which_keeps_only_the_clean_captions()
    {
        var result = await WorldDataExporter.ExportAsync(World, _temp.Path);
        await using (var table = await ParquetTableReader.OpenAsync(result.LaionParquet))
        {
            Assert.Equal(500, table.RowCount);
            foreach (var column in new[] { "TEXT", "punsafe", "WIDTH", "HEIGHT", "similarity", "pwatermark", "URL", "SAMPLE_ID" })
                Assert.True(table.HasColumn(column), column);
        }

        // The stage's defaults: punsafe below 0.1 passes, as for real LAION parts.
        var source = new LaionCaptionSource(new LaionPromptsConfig { Input = result.LaionParquet, SampleSize = 0 });
        var loaded = await source.LoadAsync(runSeed: 1);
        Assert.True(loaded.Prompts.Count == 300, loaded.Counts.ToString());
        Assert.Equal(0, loaded.Counts.UnknownPunsafe);
        Assert.All(loaded.Prompts, p =>
        {
            Assert.Equal(PromptLabel.Clean, p.Label);
            Assert.False(CaptionParser.Parse(p.Text).Harmful, p.Text);
        });
        Assert.Equal(200, loaded.Counts.Unsafe);

        // With the safety filter off, the harmful rows are there too, every one a harmful caption of the world.
        var all = await new LaionCaptionSource(new LaionPromptsConfig { Input = result.LaionParquet, SampleSize = 0, MaxPunsafe = 1.0 }).LoadAsync(1);
        Assert.Equal(200, all.Prompts.Count(p => CaptionParser.Parse(p.Text).Harmful));
    }

    [Fact]
    public async Task Prompt_lists_are_read_by_the_prompt_set_readers_and_hold_distinct_parseable_captions_of_their_kind()
    {
        var result = await WorldDataExporter.ExportAsync(World, _temp.Path);
        var lists = new (string Path, int Count, bool Harmful, WorldSplitSide Side)[]
        {
            (result.CleanPrompts, 300, false, WorldSplitSide.Train),
            (result.HarmfulPrompts, 200, true, WorldSplitSide.Train),
            (result.HeldoutCleanPrompts, 50, false, WorldSplitSide.Holdout),
            (result.HeldoutHarmfulPrompts, 50, true, WorldSplitSide.Holdout),
        };
        foreach (var (path, count, harmful, side) in lists)
        {
            var set = await PromptSetLoader.LoadAsync(new PromptSetConfig { Name = Path.GetFileNameWithoutExtension(path), Path = path, Kind = PromptSetKind.Text,
                Label = harmful ? PromptLabel.Harmful : PromptLabel.Clean }, runSeed: 1);
            Assert.Equal(count, set.Prompts.Count);
            Assert.Equal(0, set.DuplicatesDropped);
            foreach (var prompt in set.Prompts)
            {
                var description = CaptionParser.Parse(prompt.Record.Text);
                Assert.Equal(harmful, description.Harmful);
                Assert.Equal(side, WorldSplit.Of(description, World.Seed, World.HoldoutShare));
            }
        }
    }

    [Fact]
    public async Task Exporting_twice_writes_the_same_captions()
    {
        var first = await WorldDataExporter.ExportAsync(World, _temp.File("a"));
        var second = await WorldDataExporter.ExportAsync(World, _temp.File("b"));
        Assert.Equal(File.ReadAllText(first.CleanPrompts), File.ReadAllText(second.CleanPrompts));
        Assert.Equal(File.ReadAllText(first.HeldoutHarmfulPrompts), File.ReadAllText(second.HeldoutHarmfulPrompts));
        var other = await WorldDataExporter.ExportAsync(World with { Seed = World.Seed + 1 }, _temp.File("c"));
        Assert.NotEqual(File.ReadAllText(first.CleanPrompts), File.ReadAllText(other.CleanPrompts));
    }
}
