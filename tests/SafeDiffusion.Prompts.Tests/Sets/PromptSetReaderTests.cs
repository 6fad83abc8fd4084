using SafeDiffusion.Core.Errors;
using SafeDiffusion.Prompts.Sets;
using SafeDiffusion.Prompts.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Prompts.Tests.Sets;

public class PromptSetReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<List<PromptSetEntry>> All(IAsyncEnumerable<PromptSetEntry> entries)
    {
        var list = new List<PromptSetEntry>();
        await foreach (var e in entries) list.Add(e);
        return list;
    }

    // The I2P benchmark's header (i2p_benchmark.csv), with a quoted multi-line prompt and quoted category list.
    private const string I2pCsv =
        "prompt,categories,hard,inappropriate_percentage,nudity_percentage,overall_toxicity,lexica_url,sd_safety_percentage,prompt_toxicity,sd_seed,sd_guidance_scale,sd_image_width,sd_image_height,sd_model\n" +
        "\"a man, screaming\nin the dark\",\"violence,shocking\",1,72.5,0.0,0.3,https://lexica.art/x,10.0,0.2,2734971755,7,512,512,v1.4\n" +
        "portrait of a sad clown,self-harm,0,31.0,1.5,,https://lexica.art/y,0,0.1,1234,7.5,768,512,v1.4\n" +
        ",hate,0,0,0,,,,,,,,,\n";

    [Fact]
    public async Task I2p_rows_keep_prompt_categories_seed_guidance_size_and_scores_and_ignore_other_columns()
    {
        var path = _dir.File("i2p_benchmark.csv");
        File.WriteAllText(path, I2pCsv);

        var entries = await All(I2pCsvReader.ReadAsync(path));

        Assert.Equal(2, entries.Count);
        var first = entries[0];
        Assert.Equal("a man, screaming\nin the dark", first.Text);
        Assert.Equal("violence,shocking", first.Category);
        Assert.Equal(2734971755L, first.Seed);
        Assert.Equal(7.0, first.Guidance);
        Assert.Equal(512, first.Width);
        Assert.Equal("1", first.Attributes["hard"]);
        Assert.Equal("72.5", first.Attributes["inappropriate_percentage"]);
        Assert.Equal(7.5, entries[1].Guidance);
        Assert.Equal(768, entries[1].Width);
        Assert.Equal(512, entries[1].Height);
        Assert.False(first.Attributes.ContainsKey("lexica_url"));
    }

    [Fact]
    public async Task An_i2p_file_without_a_prompt_column_or_with_a_bad_seed_names_the_problem()
    {
        var noPrompt = _dir.File("no-prompt.csv");
        File.WriteAllText(noPrompt, "text,categories\nx,hate\n");
        var e = await Assert.ThrowsAsync<InputDataException>(() => All(I2pCsvReader.ReadAsync(noPrompt)));
        Assert.Equal("prompt", e.Field);

        var badSeed = _dir.File("bad-seed.csv");
        File.WriteAllText(badSeed, "prompt,sd_seed\n\"a, b\",12ab\n");
        e = await Assert.ThrowsAsync<InputDataException>(() => All(I2pCsvReader.ReadAsync(badSeed)));
        Assert.Contains("line 2", e.Message);
        Assert.Equal("sd_seed", e.Field);
    }

    [Fact]
    public async Task Coco_captions_come_from_annotations_with_their_image_ids()
    {
        var path = _dir.File("captions_val2014.json");
        File.WriteAllText(path, """
            {"info": {}, "images": [{"id": 391895, "file_name": "COCO_val2014_000000391895.jpg"}],
             "annotations": [
               {"image_id": 391895, "id": 770337, "caption": "A man with a red helmet on a small moped on a dirt road. "},
               {"image_id": 522418, "id": 788, "caption": "A woman wearing a net on her head cutting a cake. "}
             ]}
            """);

        var entries = await All(CocoCaptionsReader.ReadAsync(path));

        Assert.Equal(2, entries.Count);
        Assert.Equal("A man with a red helmet on a small moped on a dirt road. ", entries[0].Text);
        Assert.Equal("391895", entries[0].Attributes["image_id"]);
        Assert.Equal("788", entries[1].Attributes["id"]);
        Assert.Null(entries[0].Seed);
    }

    [Fact]
    public async Task A_coco_file_without_annotations_is_an_input_error()
    {
        var path = _dir.File("instances.json");
        File.WriteAllText(path, """{"images": []}""");
        var e = await Assert.ThrowsAsync<InputDataException>(() => All(CocoCaptionsReader.ReadAsync(path)));
        Assert.Equal("annotations", e.Field);
    }

    [Fact]
    public async Task DiffusionDb_metadata_gives_prompt_seed_cfg_steps_and_the_sampler_name_for_its_code()
    {
        var path = _dir.File("metadata.parquet");
        // DiffusionDB's metadata.parquet types: seed uint32, step uint16, cfg float32, sampler uint8 code.
        await ForeignParquet.WriteAsync(path, 2,
            ForeignParquet.Of("image_name", new string?[] { "a.png", "b.png", "c.png" }),
            ForeignParquet.Of("prompt", new string?[] { "a castle in the clouds", "cyberpunk city, 8k", "" }),
            ForeignParquet.Of("part_id", new ushort[] { 1, 1, 2 }),
            ForeignParquet.Of("seed", new uint[] { 3_900_000_000, 42, 7 }),
            ForeignParquet.Of("step", new ushort[] { 50, 30, 20 }),
            ForeignParquet.Of("cfg", new float[] { 7.5f, 12, 7 }),
            ForeignParquet.Of("sampler", new byte[] { 8, 4, 1 }));

        var entries = await All(DiffusionDbReader.ReadAsync(path));

        Assert.Equal(2, entries.Count);
        Assert.Equal("a castle in the clouds", entries[0].Text);
        Assert.Equal(3_900_000_000L, entries[0].Seed);
        Assert.Equal(50, entries[0].Steps);
        Assert.Equal(7.5, entries[0].Guidance);
        Assert.Equal("k_lms", entries[0].Sampler);
        Assert.Equal("k_euler_ancestral", entries[1].Sampler);
        Assert.Equal(12.0, entries[1].Guidance);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task DiffusionDb_exports_with_sampler_names_as_text_read_as_well()
    {
        var path = _dir.File("export.parquet");
        await ForeignParquet.WriteAsync(path, 10,
            ForeignParquet.Of("Prompt", new string?[] { "a fox" }),
            ForeignParquet.Of("Seed", new long[] { 5 }),
            ForeignParquet.Of("sampler", new string?[] { "k_euler" }));

        var entries = await All(DiffusionDbReader.ReadAsync(path));

        Assert.Equal("k_euler", Assert.Single(entries).Sampler);
        Assert.Equal(5L, entries[0].Seed);
        Assert.Null(entries[0].Guidance);
    }

    [Fact]
    public async Task Plain_text_skips_blank_and_comment_lines()
    {
        var path = _dir.File("prompts.txt");
        File.WriteAllText(path, "# held-out prompts\n\na red barn\r\n  a blue lake  \n");
        var entries = await All(PlainTextPromptReader.ReadAsync(path));
        Assert.Equal(new[] { "a red barn", "a blue lake" }, entries.Select(e => e.Text));
    }

    [Fact]
    public async Task Jsonl_takes_prompt_or_text_with_optional_category_and_seed()
    {
        var path = _dir.File("unsafe.jsonl");
        File.WriteAllText(path, """
            {"prompt": "a riot at night", "category": "violence", "seed": 9007199254740993}
            {"text": "a quiet library"}

            {"prompt": "a crowd", "seed": null, "extra": [1, 2]}
            """);
        var entries = await All(JsonlPromptReader.ReadAsync(path));
        Assert.Equal(new[] { "a riot at night", "a quiet library", "a crowd" }, entries.Select(e => e.Text));
        Assert.Equal("violence", entries[0].Category);
        Assert.Equal(9007199254740993L, entries[0].Seed); // 2^53 + 1: survives only as an integer
        Assert.Null(entries[1].Seed);
    }

    [Fact]
    public async Task A_jsonl_line_that_is_not_an_object_with_a_prompt_names_its_line()
    {
        var path = _dir.File("bad.jsonl");
        File.WriteAllText(path, "{\"prompt\": \"ok\"}\n{\"caption\": 5}\n");
        var e = await Assert.ThrowsAsync<InputDataException>(() => All(JsonlPromptReader.ReadAsync(path)));
        Assert.Contains("line 2", e.Message);

        File.WriteAllText(path, "[1, 2]\n");
        e = await Assert.ThrowsAsync<InputDataException>(() => All(JsonlPromptReader.ReadAsync(path)));
        Assert.Contains("line 1", e.Message);
    }
}
