using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Laion;
using SafeDiffusion.Prompts.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Prompts.Tests.Laion;

public class LaionCaptionSourceTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A LAION-5B metadata part in miniature: one row per filter, then rows that pass.</summary>
    private async Task<string> WriteLaionPart(string name, bool reversed = false)
    {
        var rows = new List<(string? Text, double? Punsafe, double? Watermark, double Similarity, long W, long H)>
        {
            (null, 0.01, 0.1, 0.3, 512, 512),                                      // missing text
            ("a dark alley with graffiti on the wall", 0.6, 0.1, 0.3, 512, 512), // unsafe
            ("a dog sleeping on a sunny porch", null, 0.1, 0.3, 512, 512),        // unknown punsafe
            ("stock photo of a laptop on a desk", 0.01, 0.95, 0.3, 512, 512),     // watermarked
            ("red shoes for sale cheap", 0.01, 0.1, 0.1, 512, 512),               // low similarity
            ("a tiny thumbnail of a flower", 0.01, 0.1, 0.3, 64, 64),             // small image
            ("logo", 0.01, 0.1, 0.3, 512, 512),                                   // too short
            (string.Join(' ', Enumerable.Repeat("long", 80)), 0.01, 0.1, 0.3, 512, 512), // too long
            ("пейзаж с горами и озером на закате", 0.01, 0.1, 0.3, 512, 512),      // non-ASCII
        };
        for (int i = 0; i < 40; i++) rows.Add(($"a watercolor painting of house number {i} by the sea", 0.02, 0.2, 0.32, 640, 480));
        rows.Add(("A watercolor painting of house number 3, by the sea!", 0.02, 0.2, 0.32, 640, 480)); // duplicate
        if (reversed) rows.Reverse();

        var path = _dir.File(name);
        await ForeignParquet.WriteAsync(path, rowGroupSize: 16,
            ForeignParquet.Of("URL", rows.Select((_, i) => (string?)$"https://example.com/{i}.jpg").ToArray()),
            ForeignParquet.Of("TEXT", rows.Select(r => r.Text).ToArray()),
            ForeignParquet.Of("WIDTH", rows.Select(r => r.W).ToArray()),
            ForeignParquet.Of("HEIGHT", rows.Select(r => r.H).ToArray()),
            ForeignParquet.Of("similarity", rows.Select(r => r.Similarity).ToArray()),
            ForeignParquet.Of("punsafe", rows.Select(r => r.Punsafe).ToArray()),
            ForeignParquet.Of("pwatermark", rows.Select(r => r.Watermark).ToArray()));
        return path;
    }

    private static LaionPromptsConfig Config(string input, int sample = 10) => new()
    {
        Input = input,
        MaxPunsafe = 0.1,
        MaxPwatermark = 0.8,
        MinSimilarity = 0.28,
        MinImageSide = 256,
        MinChars = 10,
        MaxChars = 300,
        MinWords = 3,
        SampleSize = sample,
        Seed = 3,
    };

    [Fact]
    public async Task Laion_metadata_is_filtered_with_a_count_per_reason()
    {
        var path = await WriteLaionPart("part-00000.parquet");

        var result = await new LaionCaptionSource(Config(path)).LoadAsync(runSeed: 1);

        Assert.Equal(new LaionFilterCounts(Read: 50, MissingText: 1, Unsafe: 1, UnknownPunsafe: 1, Watermarked: 1, LowSimilarity: 1,
            SmallImage: 1, TooShort: 1, TooLong: 1, NonAscii: 1, Duplicate: 1, Passed: 40, Sampled: 10), result.Counts);
        Assert.Equal(10, result.Prompts.Count);
        Assert.All(result.Prompts, p => Assert.StartsWith("a watercolor painting of house number", p.Text));
    }

    [Fact]
    public async Task Sampled_captions_are_clean_laion_records_and_the_sample_ignores_row_order()
    {
        var forward = await WriteLaionPart("forward.parquet");
        var backward = await WriteLaionPart("backward.parquet", reversed: true);

        var a = await new LaionCaptionSource(Config(forward)).LoadAsync(runSeed: 1);
        var b = await new LaionCaptionSource(Config(backward)).LoadAsync(runSeed: 1);
        var c = await new LaionCaptionSource(Config(forward) with { Seed = 4 }).LoadAsync(runSeed: 1);

        Assert.Equal(a.Prompts.Select(p => p.Text), b.Prompts.Select(p => p.Text));
        Assert.NotEqual(a.Prompts.Select(p => p.Text), c.Prompts.Select(p => p.Text));
        Assert.All(a.Prompts, p =>
        {
            Assert.Equal(PromptLabel.Clean, p.Label);
            Assert.Equal(1, p.Class);
            Assert.Equal("laion", p.Source);
            Assert.Equal(PromptRecord.StableId("laion", p.Text), p.PromptId);
            Assert.Equal(SeedDerivation.Derive(1, "laion-prompts", "image-seed", p.PromptId), p.Seed);
            Assert.Equal("laion:forward.parquet", p.Generator);
        });
    }

    [Fact]
    public async Task Unknown_punsafe_is_kept_when_configured_and_lowercase_column_names_work()
    {
        var path = _dir.File("lower.parquet");
        await ForeignParquet.WriteAsync(path, 10,
            ForeignParquet.Of("caption", new string?[] { "a mountain lake at dawn", "a busy market street" }),
            ForeignParquet.Of("PUNSAFE", new double?[] { null, 0.05 }));
        var config = Config(path, sample: 0) with { DropUnknownPunsafe = false, MinImageSide = 0 };

        var result = await new LaionCaptionSource(config).LoadAsync(1);

        Assert.Equal(new[] { "a mountain lake at dawn", "a busy market street" }, result.Prompts.Select(p => p.Text));
    }

    [Fact]
    public async Task A_folder_of_text_jsonl_and_csv_caption_lists_is_read_in_name_order()
    {
        var folder = Directory.CreateDirectory(_dir.File("captions")).FullName;
        File.WriteAllText(Path.Combine(folder, "a.txt"), "a cat on a windowsill\n");
        File.WriteAllText(Path.Combine(folder, "b.jsonl"), "{\"text\": \"a bowl of ramen on a table\"}\n");
        File.WriteAllText(Path.Combine(folder, "c.csv"), "url,caption\nhttp://x,\"a bridge, at night, in fog\"\n");
        File.WriteAllText(Path.Combine(folder, "notes.md"), "not a caption list");

        var result = await new LaionCaptionSource(Config(folder, sample: 0)).LoadAsync(1);

        Assert.Equal(new[] { "a cat on a windowsill", "a bowl of ramen on a table", "a bridge, at night, in fog" },
            result.Prompts.Select(p => p.Text));
        Assert.Equal(3, result.Files.Count);
    }

    [Fact]
    public async Task A_parquet_file_without_a_caption_column_is_an_input_error_listing_the_columns()
    {
        var path = _dir.File("urls.parquet");
        await ForeignParquet.WriteAsync(path, 10, ForeignParquet.Of("URL", new string?[] { "http://x" }));

        var e = await Assert.ThrowsAsync<InputDataException>(() => new LaionCaptionSource(Config(path)).LoadAsync(1));

        Assert.Contains("URL", e.Message);
        Assert.Equal("stages.laion-prompts.textColumn", e.Field);
    }

    [Fact]
    public async Task A_missing_input_is_an_input_error_naming_the_setting()
    {
        var e = await Assert.ThrowsAsync<InputDataException>(() => new LaionCaptionSource(Config(_dir.File("nope"))).LoadAsync(1));
        Assert.Equal("stages.laion-prompts.input", e.Field);
    }
}
