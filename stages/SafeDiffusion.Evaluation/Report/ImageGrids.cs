using System.Globalization;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Images.Drawing;

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
        int small = DrawingCanvas.LineHeight(ReportText.Small);
        int caption = 8 + 24 + small + CaptionLines * small;
        const int headerHeight = 92;
        var subtitle = Subtitle(options, classifier);
        int width = Pad + columns * (size + Pad);
        int height = headerHeight + rows * (size + caption + Pad) + Pad;
        width = Math.Max(width, Pad * 2 + (int)Math.Ceiling(DrawingCanvas.MeasureText(subtitle, ReportText.Small)));

        using var canvas = new DrawingCanvas(width, height, ReportPalette.Background);
        canvas.Fill(0, 0, width, 6, ReportPalette.Of(arm));
        canvas.Text(arm.Label, Pad, 14, ReportText.Large, ReportPalette.Ink, bold: true);
        int flaggedCount = prompts.Count(p => p.Images.TryGetValue(arm, out var im) && im.Flagged);
        canvas.Text($"{prompts.Count} sample prompt{(prompts.Count == 1 ? "" : "s")}, harmful sets first; {flaggedCount} flagged", Pad, 50, ReportText.Medium, ReportPalette.Muted);
        canvas.Text(subtitle, Pad, 72, ReportText.Small, ReportPalette.Muted);

        for (int i = 0; i < prompts.Count; i++)
        {
            var prompt = prompts[i];
            int left = Pad + i % columns * (size + Pad);
            int top = headerHeight + i / columns * (size + caption + Pad);
            prompt.Images.TryGetValue(arm, out var image);
            GridThumbnail.Draw(canvas, image, left, top, size, options);
            int y = top + size + 8;
            DrawVerdict(canvas, image, left, y, size);
            y += 24;
            canvas.Text(DrawingCanvas.Fit($"{prompt.PromptSet} / {prompt.Category}", ReportText.Small, size), left, y, ReportText.Small, ReportPalette.Muted);
            y += small;
            foreach (var line in DrawingCanvas.WrapLines(prompt.Text, ReportText.Small, size, CaptionLines))
            {
                canvas.Text(line, left, y, ReportText.Small, ReportPalette.Ink);
                y += small;
            }
        }
        return canvas.ToPng();
    }

    public static byte[] RenderComparison(IReadOnlyList<EvalArm> arms, IReadOnlyList<GridPrompt> prompts, ReportOptions options, string classifier)
    {
        int size = options.GridCellSize;
        const int textWidth = 300;
        int medium = DrawingCanvas.LineHeight(ReportText.Medium);
        int rowHeight = size + 30;
        const int headerHeight = 160;
        var sections = prompts.GroupBy(p => p.Kind).OrderByDescending(g => g.Key).ToList();
        const int sectionHeight = 36;
        int width = Pad + textWidth + Pad + arms.Count * (size + Pad);
        int height = headerHeight + sections.Count * sectionHeight + prompts.Count * (rowHeight + Pad) + Pad;

        using var canvas = new DrawingCanvas(width, height, ReportPalette.Background);
        canvas.Text("Same prompts, every model", Pad, 14, ReportText.Large, ReportPalette.Ink, bold: true);
        int sy = 54;
        foreach (var line in DrawingCanvas.WrapLines(Subtitle(options, classifier), ReportText.Medium, width - 2 * Pad, 2))
        {
            canvas.Text(line, Pad, sy, ReportText.Medium, ReportPalette.Muted);
            sy += medium;
        }
        for (int a = 0; a < arms.Count; a++)
        {
            int left = Pad + textWidth + Pad + a * (size + Pad);
            canvas.Fill(left, 104, size, 6, ReportPalette.Of(arms[a]));
            canvas.TextCentered(DrawingCanvas.Fit(EvalValues.Text(arms[a].Variant), ReportText.Medium, size, bold: true), left + size / 2f, 116, ReportText.Medium, ReportPalette.Ink, bold: true);
            canvas.TextCentered(DrawingCanvas.Fit(arms[a].Attacked ? "after attack" : "before attack", ReportText.Medium, size), left + size / 2f, 136, ReportText.Medium, ReportPalette.Muted);
        }

        int y = headerHeight;
        foreach (var section in sections)
        {
            canvas.Text(section.Key == PromptLabel.Harmful ? "Harmful prompts" : "Clean prompts", Pad, y + 6, ReportText.Medium, ReportPalette.Ink, bold: true);
            canvas.Fill(Pad, y + 30, width - 2 * Pad, 1, ReportPalette.Grid);
            y += sectionHeight;
            foreach (var prompt in section)
            {
                int ty = y + 2;
                foreach (var line in DrawingCanvas.WrapLines($"{prompt.PromptSet} / {prompt.Category}", ReportText.Medium, textWidth, 2))
                {
                    canvas.Text(line, Pad, ty, ReportText.Medium, ReportPalette.Muted);
                    ty += medium;
                }
                ty += 8;
                foreach (var line in DrawingCanvas.WrapLines(prompt.Text, ReportText.Medium, textWidth, Math.Max(1, (y + size - ty) / medium)))
                {
                    canvas.Text(line, Pad, ty, ReportText.Medium, ReportPalette.Ink);
                    ty += medium;
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

    private static void DrawVerdict(DrawingCanvas canvas, GridImage? image, int left, int y, int size)
    {
        if (image is null) return;
        var (label, color) = image.Flagged ? ("FLAGGED", ReportPalette.Flagged) : ("not flagged", ReportPalette.Muted);
        canvas.Text(label, left, y, ReportText.Medium, color, bold: image.Flagged);
        var score = "score " + image.Score.ToString("0.###", CultureInfo.InvariantCulture);
        if (DrawingCanvas.MeasureText(label, ReportText.Medium, image.Flagged) + 8 + DrawingCanvas.MeasureText(score, ReportText.Small) <= size)
            canvas.TextRight(score, left + size, y + 3, ReportText.Small, ReportPalette.Muted);
    }

    private static string Subtitle(ReportOptions options, string classifier)
    {
        var by = string.IsNullOrEmpty(classifier) ? "the harm classifier" : classifier;
        return options.ShowHarmful
            ? $"Red frame: flagged by {by}. Flagged images are shown as generated (show-harmful is on)."
            : $"Red frame: flagged by {by}. Flagged images are pixelated; rerun the report with show-harmful to see them.";
    }
}
