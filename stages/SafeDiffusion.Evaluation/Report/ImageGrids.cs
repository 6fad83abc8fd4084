using System.Globalization;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Images.Sheets;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// The report's image grids over a fixed prompt sample: one per arm (its images with verdict, set, category and
/// prompt under each), and one comparison grid with a row per prompt and a column per arm, so the four models can be
/// read side by side. Flagged images are pixelated unless the options say to show them.
/// </summary>
internal static class ImageGrids
{
    private const int Pad = 16;
    private const int CaptionLines = 4;

    public static byte[] RenderArm(EvalArm arm, IReadOnlyList<GridPrompt> prompts, ReportOptions options, string classifier)
    {
        int size = options.GridCellSize;
        int columns = Math.Min(options.GridColumns, Math.Max(1, prompts.Count));
        int rows = (prompts.Count + columns - 1) / columns;
        int caption = 8 + 22 + 13 + CaptionLines * 10;
        int headerHeight = 92;
        int width = Pad + columns * (size + Pad);
        int height = headerHeight + rows * (size + caption + Pad) + Pad;
        width = Math.Max(width, Pad * 2 + PixelCanvas.TextWidth(Subtitle(options, classifier), 1));

        using var canvas = new PixelCanvas(width, height, ReportPalette.Background);
        canvas.Fill(0, 0, width, 6, ReportPalette.Of(arm));
        canvas.Text(arm.Label, Pad, 22, 3, ReportPalette.Ink, bold: true);
        int flaggedCount = prompts.Count(p => p.Images.TryGetValue(arm, out var im) && im.Flagged);
        canvas.Text($"{prompts.Count} sample prompt{(prompts.Count == 1 ? "" : "s")}, harmful sets first; {flaggedCount} flagged", Pad, 52, 2, ReportPalette.Muted);
        canvas.Text(Subtitle(options, classifier), Pad, 72, 1, ReportPalette.Muted);

        int chars = Math.Max(8, (size + 1) / 6);
        for (int i = 0; i < prompts.Count; i++)
        {
            var prompt = prompts[i];
            int left = Pad + i % columns * (size + Pad);
            int top = headerHeight + i / columns * (size + caption + Pad);
            prompt.Images.TryGetValue(arm, out var image);
            GridThumbnail.Draw(canvas, image, left, top, size, options);
            int y = top + size + 8;
            DrawVerdict(canvas, image, left, y, size);
            y += 22;
            canvas.Text(Cut($"{prompt.PromptSet} / {prompt.Category}", chars), left, y, 1, ReportPalette.Muted);
            y += 13;
            foreach (var line in TextWrap.Lines(prompt.Text, chars, CaptionLines))
            {
                canvas.Text(line, left, y, 1, ReportPalette.Ink);
                y += 10;
            }
        }
        return canvas.ToPng();
    }

    public static byte[] RenderComparison(IReadOnlyList<EvalArm> arms, IReadOnlyList<GridPrompt> prompts, ReportOptions options, string classifier)
    {
        int size = options.GridCellSize;
        const int textWidth = 300;
        const int textChars = textWidth / 12;
        int rowHeight = size + 30;
        int headerHeight = 156;
        var sections = prompts.GroupBy(p => p.Kind).OrderByDescending(g => g.Key).ToList();
        int sectionHeight = 34;
        int width = Pad + textWidth + Pad + arms.Count * (size + Pad);
        int height = headerHeight + sections.Count * sectionHeight + prompts.Count * (rowHeight + Pad) + Pad;

        using var canvas = new PixelCanvas(width, height, ReportPalette.Background);
        canvas.Text("Same prompts, every model", Pad, 20, 3, ReportPalette.Ink, bold: true);
        int sy = 56;
        foreach (var line in TextWrap.Lines(Subtitle(options, classifier), Math.Max(20, (width - 2 * Pad) / 12), 2))
        {
            canvas.Text(line, Pad, sy, 2, ReportPalette.Muted);
            sy += 20;
        }
        for (int a = 0; a < arms.Count; a++)
        {
            int left = Pad + textWidth + Pad + a * (size + Pad);
            canvas.Fill(left, 104, size, 6, ReportPalette.Of(arms[a]));
            canvas.TextCentered(EvalValues.Text(arms[a].Variant), left + size / 2, 118, 2, ReportPalette.Ink, bold: true);
            canvas.TextCentered(arms[a].Attacked ? "after attack" : "before attack", left + size / 2, 136, 2, ReportPalette.Muted);
        }

        int y = headerHeight;
        foreach (var section in sections)
        {
            canvas.Text(section.Key == PromptLabel.Harmful ? "Harmful prompts" : "Clean prompts", Pad, y + 8, 2, ReportPalette.Ink, bold: true);
            canvas.Fill(Pad, y + 28, width - 2 * Pad, 1, ReportPalette.Grid);
            y += sectionHeight;
            foreach (var prompt in section)
            {
                int ty = y + 2;
                foreach (var line in TextWrap.Lines($"{prompt.PromptSet} / {prompt.Category}", textChars, 2))
                {
                    canvas.Text(line, Pad, ty, 2, ReportPalette.Muted);
                    ty += 18;
                }
                ty += 8;
                foreach (var line in TextWrap.Lines(prompt.Text, textChars, Math.Max(1, (y + size - ty) / 18)))
                {
                    canvas.Text(line, Pad, ty, 2, ReportPalette.Ink);
                    ty += 18;
                }
                for (int a = 0; a < arms.Count; a++)
                {
                    int left = Pad + textWidth + Pad + a * (size + Pad);
                    prompt.Images.TryGetValue(arms[a], out var image);
                    GridThumbnail.Draw(canvas, image, left, y, size, options);
                    DrawVerdict(canvas, image, left, y + size + 6, size);
                }
                y += rowHeight + Pad;
            }
        }
        return canvas.ToPng();
    }

    private static void DrawVerdict(PixelCanvas canvas, GridImage? image, int left, int y, int size)
    {
        if (image is null) return;
        var (label, color) = image.Flagged ? ("FLAGGED", ReportPalette.Flagged) : ("not flagged", ReportPalette.Muted);
        canvas.Text(label, left, y, 2, color, bold: image.Flagged);
        var score = "score " + image.Score.ToString("0.###", CultureInfo.InvariantCulture);
        if (PixelCanvas.TextWidth(label, 2) + 8 + PixelCanvas.TextWidth(score, 1) <= size)
            canvas.TextRight(score, left + size, y + 4, 1, ReportPalette.Muted);
    }

    private static string Subtitle(ReportOptions options, string classifier)
    {
        var by = string.IsNullOrEmpty(classifier) ? "the harm classifier" : classifier;
        return options.ShowHarmful
            ? $"Red frame: flagged by {by}. Flagged images are shown as generated (show-harmful is on)."
            : $"Red frame: flagged by {by}. Flagged images are pixelated; rerun the report with show-harmful to see them.";
    }

    private static string Cut(string text, int max) => HarmfulRateChart.Cut(text, max);
}
