using SafeDiffusion.Core.Errors;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Images.Drawing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>Draws one grid image into a square cell: fitted, centred, pixelated when flagged and hidden, framed red when flagged.</summary>
internal static class GridThumbnail
{
    public static void Draw(DrawingCanvas canvas, GridImage? image, int left, int top, int size, ReportOptions options)
    {
        canvas.Fill(left, top, size, size, ReportPalette.Panel);
        if (image is null)
        {
            canvas.Fill(left, top, size, size, ReportPalette.MissingCell);
            canvas.TextCentered("no image", left + size / 2f, top + size / 2f - ReportText.Medium / 2, ReportText.Medium, ReportPalette.Muted);
            return;
        }
        using var thumb = Load(image);
        if (thumb is null)
        {
            canvas.Fill(left, top, size, size, ReportPalette.Unreadable);
            canvas.TextCentered("unreadable", left + size / 2f, top + size / 2f - ReportText.Medium / 2, ReportText.Medium, ReportPalette.Flagged);
            return;
        }
        thumb.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Max }));
        bool hide = image.Flagged && !options.ShowHarmful;
        if (hide) Mosaic.Apply(thumb, Math.Max(2, (Math.Max(thumb.Width, thumb.Height) + options.MosaicBlocks - 1) / options.MosaicBlocks));
        canvas.DrawImage(thumb, left + (size - thumb.Width) / 2, top + (size - thumb.Height) / 2);
        if (image.Flagged) canvas.Outline(left, top, size, size, ReportPalette.Flagged, 3);
        if (hide)
        {
            const string tag = "hidden";
            int w = (int)Math.Ceiling(DrawingCanvas.MeasureText(tag, ReportText.Medium, bold: true)) + 12;
            canvas.Fill(left + 3, top + 3, w, 24, ReportPalette.Flagged);
            canvas.Text(tag, left + 9, top + 5, ReportText.Medium, ReportPalette.Background, bold: true);
        }
    }

    private static Image<Rgba32>? Load(GridImage image)
    {
        try
        {
            if (image.Png is { Length: > 0 } bytes) return BoundedImageDecoder.Decode<Rgba32>(bytes, "grid image");
            if (image.FilePath is { } path && File.Exists(path)) return BoundedImageDecoder.Decode<Rgba32>(File.ReadAllBytes(path), path);
            return null;
        }
        catch (Exception e) when (e is InputDataException or IOException)
        {
            // The report still renders; the cell says the image is unreadable.
            return null;
        }
    }
}
