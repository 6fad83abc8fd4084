using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Inspection;
using SafeDiffusion.Images.Codecs;
using SafeDiffusion.Images.Drawing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SafeDiffusion.Images.Sheets;

/// <summary>
/// A grid of thumbnails with captions (id, then label and prompt) in one PNG, for looking over a generated dataset
/// at a glance. Geometry in <see cref="ContactSheetLayout"/>; pictures are decoded and scaled with ImageSharp (the
/// dataset's own codec), the sheet is composed and lettered on a <see cref="DrawingCanvas"/>.
/// </summary>
public static class ContactSheet
{
    private static readonly Rgba32 Background = new(255, 255, 255);
    private static readonly Rgba32 CellBackground = new(232, 232, 232);
    private static readonly Rgba32 Ink = new(20, 20, 20);
    private static readonly Rgba32 Unreadable = new(190, 60, 60);

    /// <summary>
    /// Renders the sheet as PNG bytes; images that <see cref="BoundedImageDecoder"/> refuses (other formats, damaged,
    /// larger than <paramref name="limits"/>) get a red cell saying so instead of failing the sheet, and are passed to
    /// <paramref name="unreadable"/> with the reason. <paramref name="source"/> names the dataset in those reasons.
    /// </summary>
    /// <exception cref="ArgumentException">No cells.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A layout value out of its range.</exception>
    public static byte[] RenderPng(IReadOnlyList<ImageCell> cells, ContactSheetLayout layout, string? source = null,
        ImageDecodeLimits? limits = null, Action<InputDataException>? unreadable = null)
    {
        layout.Validate();
        if (cells.Count == 0) throw new ArgumentException("a contact sheet needs at least one image", nameof(cells));
        var (width, height) = layout.Measure(cells.Count);
        int columns = Math.Min(layout.Columns, cells.Count);
        using var sheet = new DrawingCanvas(width, height, Background);
        for (int i = 0; i < cells.Count; i++)
        {
            int left = layout.Padding + i % columns * (layout.CellSize + layout.Padding);
            int top = layout.Padding + i / columns * (layout.CellSize + layout.CaptionGap + layout.CaptionHeight + layout.Padding);
            var name = source is null ? $"image {cells[i].Id}" : $"{source}, image {cells[i].Id}";
            bool readable = DrawThumbnail(sheet, cells[i].Bytes, name, limits, unreadable, left, top, layout.CellSize);
            var caption = readable ? cells[i].Caption : $"unreadable image. {cells[i].Caption}";
            var lines = CaptionLines(cells[i].Id, caption, layout.CellSize, layout.CaptionLines, layout.FontSize);
            int lineHeight = DrawingCanvas.LineHeight(layout.FontSize);
            for (int l = 0; l < lines.Count; l++)
                sheet.Text(lines[l], left, top + layout.CellSize + layout.CaptionGap + l * lineHeight, layout.FontSize, Ink);
        }
        return sheet.ToPng();
    }

    /// <summary>
    /// Fits an id and a caption into at most <paramref name="lines"/> lines no wider than <paramref name="width"/>
    /// pixels at <paramref name="fontSize"/>: the id alone on the first line, the caption word-wrapped after it, a
    /// cut marked by an ellipsis at the end of the line where it happens.
    /// </summary>
    public static IReadOnlyList<string> CaptionLines(string id, string? caption, int width, int lines, float fontSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (lines <= 0) return [];
        var first = DrawingCanvas.Fit(id.ReplaceLineEndings(" "), fontSize, width);
        return [first, .. DrawingCanvas.WrapLines(caption ?? "", fontSize, width, lines - 1)];
    }

    private static bool DrawThumbnail(DrawingCanvas sheet, byte[] bytes, string name, ImageDecodeLimits? limits,
        Action<InputDataException>? unreadable, int left, int top, int size)
    {
        Image<Rgba32> thumb;
        try
        {
            thumb = BoundedImageDecoder.Decode<Rgba32>(bytes, name, limits);
        }
        catch (InputDataException e)
        {
            unreadable?.Invoke(e);
            sheet.Fill(left, top, size, size, Unreadable);
            return false;
        }
        using (thumb)
        {
            sheet.Fill(left, top, size, size, CellBackground);
            thumb.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Max }));
            sheet.DrawImage(thumb, left + (size - thumb.Width) / 2, top + (size - thumb.Height) / 2);
        }
        return true;
    }
}
