using SafeDiffusion.Core.Errors;
using SafeDiffusion.Images.Codecs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>Draws one grid image into a square cell: fitted, centred, pixelated when flagged and hidden, framed red when flagged.</summary>
internal static class GridThumbnail
{
    public static void Draw(PixelCanvas canvas, GridImage? image, int left, int top, int size, ReportOptions options)
    {
        canvas.Fill(left, top, size, size, ReportPalette.Panel);
        if (image is null)
        {
            canvas.Fill(left, top, size, size, ReportPalette.MissingCell);
            canvas.TextCentered("no image", left + size / 2, top + size / 2 - 7, 2, ReportPalette.Muted);
            return;
        }
        using var thumb = Load(image);
        if (thumb is null)
        {
            canvas.Fill(left, top, size, size, ReportPalette.Unreadable);
            canvas.TextCentered("unreadable", left + size / 2, top + size / 2 - 7, 2, ReportPalette.Flagged);
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
            int w = PixelCanvas.TextWidth(tag, 2) + 12;
            canvas.Fill(left + 3, top + 3, w, 22, ReportPalette.Flagged);
            canvas.Text(tag, left + 9, top + 7, 2, ReportPalette.Background);
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
