using System.Security.Cryptography;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Pipeline.Tests.Commands;

public sealed class InspectCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed record Outcome(int Code, string Out, string Error);

    private async Task<Outcome> RunAsync(params string[] args) => await RunAsync(interactive: false, args);

    private async Task<Outcome> RunAsync(bool interactive, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var env = CliEnvironment.ForTest(output, error, _dir.Path) with { Interactive = interactive };
        var code = await CliHost.RunAsync(args, env);
        return new Outcome(code, output.ToString(), error.ToString());
    }

    /// <summary>Images 0..n-1: 24x16 noisy PNGs; even ids clean, odd harmful.</summary>
    private async Task<string> WriteImagesAsync(int count, string name = "images")
    {
        var folder = _dir.File(name);
        await using var writer = await ParquetPartWriter<ImageRecord>.OpenAsync(folder, ImagesSchema.Instance,
            new ParquetPartWriterOptions { RowsPerPart = 4 });
        for (int i = 0; i < count; i++)
        {
            var png = TestImages.NoisyPng(24, 16, i);
            await writer.WriteAsync(new ImageRecord($"img-{i:D3}", $"p-{i}", $"prompt {i}",
                i % 2 == 0 ? PromptLabel.Clean : PromptLabel.Harmful, i % 2 == 0 ? "laion" : "hate", png, 24, 16, i, 20, 7.5,
                "pndm", "tiny", Convert.ToHexStringLower(SHA256.HashData(png)), DatasetSplit.Train));
        }
        return folder;
    }

    [Fact]
    public async Task Inspect_prints_schema_row_count_counts_and_first_rows_as_plain_text_when_redirected()
    {
        await WriteImagesAsync(6);

        var r = await RunAsync("inspect", "images", "--rows", "2");

        Assert.Equal(0, r.Code);
        Assert.Equal("", r.Error);
        Assert.Contains("rows:", r.Out);
        Assert.Matches(@"rows:\s+6\n", r.Out.ReplaceLineEndings("\n"));
        Assert.Contains("images v1 (written by the pipeline)", r.Out);
        Assert.Contains("image\tBLOB", r.Out);
        Assert.Contains("clean\t3\t50.0 %", r.Out);
        Assert.Contains("harmful\t3\t50.0 %", r.Out);
        Assert.Contains("first 2 rows:", r.Out);
        Assert.Contains("img-001", r.Out);
        Assert.DoesNotContain("img-002", r.Out);
        Assert.Matches(@"\tPNG 24x16, \d+(\.\d)? (B|KiB)\t", r.Out);
        Assert.DoesNotContain("│", r.Out);
    }

    [Fact]
    public async Task In_a_terminal_the_same_summary_is_drawn_as_tables()
    {
        await WriteImagesAsync(2);

        var r = await RunAsync(interactive: true, "inspect", "images");

        Assert.Equal(0, r.Code);
        Assert.Contains("│", r.Out);
        Assert.Contains("img-000", r.Out);
        Assert.DoesNotContain("\t", r.Out);
        // Sixteen columns do not fit 80 characters: rows are shown as records.
        Assert.Contains("PNG 24x16", r.Out);
        Assert.Contains("row 2", r.Out);
    }

    [Fact]
    public async Task Sql_runs_through_duckdb_over_the_folder_view()
    {
        await WriteImagesAsync(5);

        var r = await RunAsync("inspect", "images", "--sql", "select label, count(*) as n from images group by label order by label");

        Assert.Equal(0, r.Code);
        Assert.Equal("label\tn\nclean\t3\nharmful\t2\n", r.Out.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_broken_query_is_a_usage_error_without_a_stack_trace()
    {
        await WriteImagesAsync(1);

        var r = await RunAsync("inspect", "images", "--sql", "select nope from data");

        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Contains("--sql:", r.Error);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public async Task Export_images_writes_limit_png_files_named_by_image_id()
    {
        var folder = await WriteImagesAsync(6);

        var r = await RunAsync("inspect", folder, "--export-images", "out", "--limit", "3");

        Assert.Equal(0, r.Code);
        Assert.Contains("Wrote 3 images", r.Out);
        Assert.Equal(["img-000.png", "img-001.png", "img-002.png"],
            Directory.GetFiles(_dir.File("out")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var image = Image.Load<Rgba32>(_dir.File("out", "img-001.png"));
        Assert.Equal((24, 16), (image.Width, image.Height));
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Contact_sheet_is_a_png_of_the_grid_size_for_limit_and_columns()
    {
        await WriteImagesAsync(7);

        var r = await RunAsync("inspect", "images", "--contact-sheet", "sheet.png", "--limit", "5", "--columns", "2", "--cell-size", "32");

        Assert.Equal(0, r.Code);
        using var sheet = Image.Load<Rgba32>(_dir.File("sheet.png"));
        // 5 images in 2 columns: 3 rows. Cell 32 px, padding 8, caption gap 4, three caption lines of 11 px text.
        // Width 8 + 2 * (32 + 8) = 88; height 8 + 3 * (32 + 4 + captions + 8).
        Assert.Equal(88, sheet.Width);
        Assert.Equal(0, (sheet.Height - 8) % 3);
        Assert.InRange((sheet.Height - 8) / 3 - (32 + 4 + 8), 3 * 11, 3 * 11 * 1.5);
    }

    [Fact]
    public async Task A_foreign_parquet_file_is_inspected_and_labelled_as_not_a_pipeline_dataset()
    {
        var file = _dir.File("table.parquet");
        // DuckDB writes a file the pipeline did not (COPY ... TO needs the opt-in).
        var make = await RunAsync("inspect", await WriteImagesAsync(1),
            "--sql", $"copy (select 1 as a, 'x' as b) to '{file}' (format parquet)", "--unrestricted-sql");
        Assert.Equal(0, make.Code);

        var r = await RunAsync("inspect", file);

        Assert.Equal(0, r.Code);
        Assert.Contains("not a pipeline dataset", r.Out);
        Assert.Matches(@"rows:\s+1\n", r.Out.ReplaceLineEndings("\n"));
        Assert.Contains("a\tb\n1\tx", r.Out.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_is_named_with_the_PAR1_magic_message()
    {
        await File.WriteAllTextAsync(_dir.File("notes.csv"), "a,b\n1,2\n");

        var r = await RunAsync("inspect", "notes.csv");

        Assert.Equal(ExitCodes.InputData, r.Code);
        Assert.Contains($"{_dir.File("notes.csv")}: is not a Parquet file (no PAR1 magic", r.Error);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public async Task A_limit_below_one_is_a_usage_error()
    {
        await WriteImagesAsync(1);

        var r = await RunAsync("inspect", "images", "--export-images", "out", "--limit", "0");

        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Contains("--limit", r.Error);
    }

    [Fact]
    public async Task Help_documents_the_sql_views()
    {
        var r = await RunAsync("inspect", "--help");

        Assert.Equal(0, r.Code);
        Assert.Contains("view 'data'", r.Out);
        Assert.Contains("named after the folder", r.Out);
    }

    [Fact]
    public async Task Help_documents_the_locked_down_sql_and_the_opt_in()
    {
        var r = await RunAsync("inspect", "--help");

        Assert.Contains("--unrestricted-sql", r.Out);
        Assert.Contains("reads those files and nothing else", r.Out);
    }

    [Fact]
    public async Task Sql_cannot_read_other_files_unless_unrestricted()
    {
        await WriteImagesAsync(2);
        var secret = _dir.File("secret.txt");
        await File.WriteAllTextAsync(secret, "private");
        var query = $"select content from read_text('{secret}')";

        var locked = await RunAsync("inspect", "images", "--sql", query);
        var open = await RunAsync("inspect", "images", "--sql", query, "--unrestricted-sql");

        Assert.Equal(ExitCodes.Usage, locked.Code);
        Assert.DoesNotContain("private", locked.Out);
        Assert.Equal(0, open.Code);
        Assert.Contains("private", open.Out);
    }

    [Fact]
    public async Task Escape_sequences_in_names_and_values_are_printed_escaped()
    {
        var file = _dir.File("hostile.parquet");
        var name = new Parquet.Schema.DataField<string>("col\u001b]0;title\u0007", nullable: false);
        var schema = new Parquet.Schema.ParquetSchema(name);
        await using (var fs = File.Create(file))
        await using (var writer = await Parquet.ParquetWriter.CreateAsync(schema, fs))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<ReadOnlyMemory<char>>(name, new[] { "x\u001b[2J\u009b31m".AsMemory() }.AsMemory());
        }

        var summary = await RunAsync("inspect", "hostile.parquet");
        var sql = await RunAsync("inspect", "hostile.parquet", "--sql", "select * from data");

        foreach (var r in new[] { summary, sql })
        {
            Assert.Equal(0, r.Code);
            Assert.DoesNotContain('\u001b', r.Out);
            Assert.DoesNotContain('\u009b', r.Out);
            Assert.Contains(@"col\x1B]0;title\x07", r.Out);
            Assert.Contains(@"x\x1B[2J\u009B31m", r.Out);
        }
    }

    [Fact]
    public async Task Export_refuses_to_write_over_an_existing_file()
    {
        await WriteImagesAsync(2);
        Directory.CreateDirectory(_dir.File("out"));
        await File.WriteAllTextAsync(_dir.File("out", "img-001.png"), "mine");

        var r = await RunAsync("inspect", "images", "--export-images", "out");

        Assert.Equal(ExitCodes.Usage, r.Code);
        Assert.Contains("already exists", r.Error);
        Assert.Equal("mine", await File.ReadAllTextAsync(_dir.File("out", "img-001.png")));
    }
}
