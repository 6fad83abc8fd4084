using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Evaluation.Metrics;
using SafeDiffusion.Evaluation.Report;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Evaluation.Tests.Report;

public class ReportRendererTests
{
    private static async Task<string> WriteEvalDatasetAsync(string folder, IEnumerable<EvalImageRecord> rows)
    {
        await using var writer = await ParquetPartWriter<EvalImageRecord>.OpenAsync(folder, EvalSchema.Instance);
        foreach (var row in rows) await writer.WriteAsync(row);
        await writer.CompleteAsync();
        return folder;
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task A_report_is_redrawn_from_the_eval_parquet_and_report_json_alone()
    {
        using var dir = new TempDirectory("report");
        var rows = SyntheticEvaluation.Rows(imageSize: 64);
        var summary = EvalSummaryBuilder.Build(rows, SyntheticEvaluation.Measurements(), SyntheticEvaluation.Settings(),
            createdUtc: new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var evalFolder = await WriteEvalDatasetAsync(dir.File("eval"), rows);
        var first = ReportRenderer.Render(summary, rows, dir.File("first"), new ReportOptions { GridCellSize = 96 });

        var second = await ReportRenderer.RenderFromArtifactsAsync(first.Json, evalFolder, dir.File("second"), new ReportOptions { GridCellSize = 96 });

        Assert.Equal(File.ReadAllText(first.Markdown), File.ReadAllText(second.Markdown));
        Assert.Equal(File.ReadAllText(first.Json), File.ReadAllText(second.Json));
        Assert.Equal(File.ReadAllBytes(first.Chart!), File.ReadAllBytes(second.Chart!));
        Assert.Equal(File.ReadAllBytes(first.ComparisonGrid!), File.ReadAllBytes(second.ComparisonGrid!));
        Assert.Equal(6, second.ArmGrids.Count);
        Assert.Equal(first.ArmGrids.Select(Path.GetFileName), second.ArmGrids.Select(Path.GetFileName));
        foreach (var png in second.All.Where(p => p.EndsWith(".png", StringComparison.Ordinal)))
        {
            var info = Image.Identify(png);
            Assert.True(info.Width > 300 && info.Height > 200, $"{png} is {info.Width}x{info.Height}");
        }
    }

    [Fact]
    public void The_recovery_curves_are_drawn_tabulated_and_kept_in_report_json()
    {
        using var dir = new TempDirectory("report");
        var rows = SyntheticEvaluation.Rows(imageSize: 32);
        RecoveryCurvePoint[] curve =
        [
            RecoveryCurvePoint.Of(EvalVariant.Base, 0, HarmfulRate.Of(19, 20)), RecoveryCurvePoint.Of(EvalVariant.Base, 80, HarmfulRate.Of(20, 20)),
            RecoveryCurvePoint.Of(EvalVariant.Safe, 0, HarmfulRate.Of(1, 20)), RecoveryCurvePoint.Of(EvalVariant.Safe, 20, HarmfulRate.Of(11, 20)),
            RecoveryCurvePoint.Of(EvalVariant.Safe, 80, HarmfulRate.Of(17, 20)),
            RecoveryCurvePoint.Of(EvalVariant.Control, 0, HarmfulRate.Of(18, 20)), RecoveryCurvePoint.Of(EvalVariant.Control, 80, HarmfulRate.Of(20, 20)),
        ];
        var summary = EvalSummaryBuilder.Build(rows, SyntheticEvaluation.Measurements(), SyntheticEvaluation.Settings())
            with { RecoveryCurve = curve, StepsToHarmful = StepsToHarmful.Of(curve) };

        var output = ReportRenderer.Render(summary, rows, dir.Path, new ReportOptions { GridPromptsPerKind = 1, GridCellSize = 64 });

        Assert.True(Image.Identify(Assert.IsType<string>(output.RecoveryChart)).Width > 300);
        var md = File.ReadAllText(output.Markdown);
        Assert.Contains("## Recovery under the attack", md);
        Assert.Contains($"![Harmful rate against attack steps]({ReportFiles.RecoveryChart})", md);
        // Safe at step 20: 11 of 20 flagged.
        Assert.Contains("55.0% [", md);
        Assert.Contains("(11/20)", md);
        // Safe reaches half at 20 and never nine in ten (17/20 = 85% at 80).
        Assert.Contains("| safe | 20 | not reached within 80 steps |", md);
        Assert.Contains("| base | 0 | 0 |", md);
        var json = File.ReadAllText(output.Json);
        Assert.Contains("\"steps_to_90\": null", json);
        var read = EvalSummaryJson.Read(output.Json);
        Assert.Equal(curve, read.RecoveryCurve);
        Assert.Equal(summary.StepsToHarmful, read.StepsToHarmful);
    }

    [Fact]
    public void The_markdown_states_the_matrix_numbers_settings_and_verdict()
    {
        using var dir = new TempDirectory("report");
        var rows = SyntheticEvaluation.Rows(imageSize: 32);
        var summary = EvalSummaryBuilder.Build(rows, SyntheticEvaluation.Measurements(), SyntheticEvaluation.Settings());
        var output = ReportRenderer.Render(summary, rows, dir.Path, new ReportOptions { GridPromptsPerKind = 1, GridCellSize = 64 });
        var md = File.ReadAllText(output.Markdown);

        // i2p, base after attack: 14 of 20 flagged -> 70.0%, Wilson [48.1, 85.5].
        Assert.Contains("70.0% [48.1, 85.5] (14/20)", md);
        // Pooled, safe after attack: 2 + 1 of 40 -> 7.5%.
        Assert.Contains("7.5% [", md);
        Assert.Contains("(3/40)", md);
        Assert.Contains("| coco | FID | 20.00 | 23.00 | 22.00 | 40.00 |", md);
        Assert.Contains("| sampling steps | 20 |", md);
        Assert.Contains("| seeds | 42, 43 |", md);
        Assert.Contains("| model: base | tiny-sd1@1a2b3c |", md);
        Assert.Contains("the claim holds on this run", md);
        Assert.Contains(ClaimCheck.ClaimStatement, md);
        Assert.Contains("](harmful-rate.png)", md);
        Assert.Contains("](grid-comparison.png)", md);
        Assert.Contains("| sexual |", md);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void The_prompt_set_table_counts_images_per_model_beside_the_sum_over_the_six_models()
    {
        using var dir = new TempDirectory("report");
        var rows = SyntheticEvaluation.Rows(imageSize: 32);
        var summary = EvalSummaryBuilder.Build(rows, SyntheticEvaluation.Measurements(), SyntheticEvaluation.Settings());
        var md = File.ReadAllLines(ReportRenderer.Render(summary, rows, dir.Path, new ReportOptions { GridPromptsPerKind = 1, GridCellSize = 64 }).Markdown);

        // 20 prompts of i2p and 12 of coco, one image each, drawn by base, safe and control before and after the attack.
        Assert.Contains("| prompt set | kind | prompts | models | images per model | images, all models |", md);
        Assert.Contains("| i2p | harmful | 20 | 6 | 20 | 120 |", md);
        Assert.Contains("| coco | clean | 12 | 6 | 12 | 72 |", md);
    }

    [Fact]
    public async Task Images_stored_by_reference_are_read_from_beside_the_dataset()
    {
        using var dir = new TempDirectory("report");
        var rows = SyntheticEvaluation.Rows(imageSize: 48, inlineImages: false);
        var evalFolder = dir.File("eval");
        Directory.CreateDirectory(Path.Combine(evalFolder, "images"));
        foreach (var r in SyntheticEvaluation.Rows(imageSize: 48))
            File.WriteAllBytes(Path.Combine(evalFolder, "images", r.ImageId + ".png"), r.Png);
        await WriteEvalDatasetAsync(evalFolder, rows);
        var summary = EvalSummaryBuilder.Build(rows, [], SyntheticEvaluation.Settings());

        var options = new ReportOptions { GridPromptsPerKind = 1, GridCellSize = 64, ShowHarmful = true };
        var withRefs = await ReportRenderer.RenderAsync(summary, evalFolder, dir.File("refs"), options);
        var inline = ReportRenderer.Render(summary, SyntheticEvaluation.Rows(imageSize: 48), dir.File("inline"), options);

        Assert.Equal(File.ReadAllBytes(inline.ComparisonGrid!), File.ReadAllBytes(withRefs.ComparisonGrid!));
    }

    /// <summary>Distinct colours inside the first image cell of a one-prompt grid.</summary>
    private static int DistinctColoursInFirstCell(byte[] png, int cellSize)
    {
        using var image = Image.Load<Rgba32>(png);
        // The arm grid's first cell sits at (16, 92), see ImageGrids; stay 4 px inside to skip the red frame, and
        // below the "hidden" tag (24 px high at the cell's top) so its lettering is not counted as image colours.
        var colours = new HashSet<Rgba32>();
        for (int y = 92 + 28; y < 92 + cellSize - 4; y++)
        for (int x = 16 + 4; x < 16 + cellSize - 4; x++)
            colours.Add(image[x, y]);
        return colours.Count;
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Flagged_images_are_pixelated_unless_show_harmful_is_set()
    {
        using var dir = new TempDirectory("report");
        var rows = SyntheticEvaluation.Rows(imageSize: 128).Where(r => r.Arm == new EvalArm(EvalVariant.Base, true) && r.PromptSet == "i2p").ToList();
        var flagged = rows.Where(r => r.Flagged).ToList();
        var summary = EvalSummaryBuilder.Build(flagged, [], SyntheticEvaluation.Settings());
        var hidden = ReportRenderer.Render(summary, flagged, dir.File("hidden"), new ReportOptions { GridPromptsPerKind = 1, GridCellSize = 128, MosaicBlocks = 8 });
        var shown = ReportRenderer.Render(summary, flagged, dir.File("shown"), new ReportOptions { GridPromptsPerKind = 1, GridCellSize = 128, ShowHarmful = true });

        int hiddenColours = DistinctColoursInFirstCell(File.ReadAllBytes(hidden.ArmGrids[0]), 128);
        int shownColours = DistinctColoursInFirstCell(File.ReadAllBytes(shown.ArmGrids[0]), 128);
        // 8 x 8 mosaic blocks plus the "hidden" tag's two colours; the gradient image has thousands.
        Assert.InRange(hiddenColours, 2, 8 * 8 + 2);
        Assert.True(shownColours > 1000, $"show-harmful image has only {shownColours} colours");
    }

    [Fact]
    public void Mosaic_fills_each_block_with_its_rounded_mean_colour()
    {
        using var image = new Image<Rgba32>(3, 2);
        image[0, 0] = new Rgba32(0, 0, 0);
        image[1, 0] = new Rgba32(10, 20, 30);
        image[0, 1] = new Rgba32(1, 2, 3);
        image[1, 1] = new Rgba32(3, 4, 5);
        image[2, 0] = new Rgba32(100, 100, 100);
        image[2, 1] = new Rgba32(200, 50, 0);
        Mosaic.Apply(image, 2);
        // Block (0..1, 0..1): means (14/4, 26/4, 38/4) = (3.5, 6.5, 9.5) -> 4, 7, 10 (halves round up).
        Assert.Equal(new Rgba32(4, 7, 10), image[0, 0]);
        Assert.Equal(image[0, 0], image[1, 1]);
        // Edge block (2, 0..1): (150, 75, 50).
        Assert.Equal(new Rgba32(150, 75, 50), image[2, 0]);
        Assert.Equal(image[2, 0], image[2, 1]);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void The_grid_sample_is_the_same_whatever_the_row_order()
    {
        using var dir = new TempDirectory("report");
        var rows = SyntheticEvaluation.Rows(imageSize: 32);
        var summary = EvalSummaryBuilder.Build(rows, [], SyntheticEvaluation.Settings());
        var options = new ReportOptions { GridPromptsPerKind = 3, GridCellSize = 64 };
        var forward = ReportRenderer.Render(summary, rows, dir.File("a"), options);
        var shuffled = rows.OrderBy(r => r.ImageId, StringComparer.Ordinal).Reverse().ToList();
        var backward = ReportRenderer.Render(summary, shuffled, dir.File("b"), options);
        Assert.Equal(File.ReadAllBytes(forward.ComparisonGrid!), File.ReadAllBytes(backward.ComparisonGrid!));
    }
}
