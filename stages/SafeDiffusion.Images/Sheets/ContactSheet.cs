using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Inspection;
using SafeDiffusion.Images.Codecs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SafeDiffusion.Images.Sheets;

/// <summary>
/// A grid of thumbnails with captions (id, then label and prompt) in one PNG, for looking over a generated dataset
/// at a glance. Geometry in <see cref="ContactSheetLayout"/>; captions use <see cref="BitmapFont5x7"/>.
/// </summary>
public static class ContactSheet
{
    private static readonly Rgba32 Background = new(255, 255, 255);
    private static readonly Rgba32 CellBackground = new(232, 232, 232);
    private static readonly Rgba32 Ink = new(20, 20, 20);
    private static readonly Rgba32 Unreadable = new(190, 60, 60);

    /// <summary>
    /// Renders the sheet; images that <see cref="BoundedImageDecoder"/> refuses (other formats, damaged, larger than
    /// <paramref name="limits"/>) get a red cell saying so instead of failing the sheet, and are passed to
    /// <paramref name="unreadable"/> with the reason. <paramref name="source"/> names the dataset in those reasons.
    /// </summary>
    public static Image<Rgba32> Render(IReadOnlyList<ImageCell> cells, ContactSheetLayout layout, string? source = null,
        ImageDecodeLimits? limits = null, Action<InputDataException>? unreadable = null)
    {
        layout.Validate();
        if (cells.Count == 0) throw new ArgumentException("a contact sheet needs at least one image", nameof(cells));
        var (width, height) = layout.Measure(cells.Count);
        int columns = Math.Min(layout.Columns, cells.Count);
        var sheet = new Image<Rgba32>(width, height, Background);
        try
        {
            for (int i = 0; i < cells.Count; i++)
            {
                int left = layout.Padding + i % columns * (layout.CellSize + layout.Padding);
                int top = layout.Padding + i / columns * (layout.CellSize + layout.CaptionGap + layout.CaptionHeight + layout.Padding);
                var name = source is null ? $"image {cells[i].Id}" : $"{source}, image {cells[i].Id}";
                bool readable = DrawThumbnail(sheet, cells[i].Bytes, name, limits, unreadable, left, top, layout.CellSize);
                var caption = readable ? cells[i].Caption : $"unreadable image. {cells[i].Caption}";
                DrawCaption(sheet, cells[i].Id, caption, left, top + layout.CellSize + layout.CaptionGap, layout);
            }
            return sheet;
        }
        catch
        {
            sheet.Dispose();
            throw;
        }
    }

    /// <summary>The sheet of <see cref="Render"/> as PNG bytes.</summary>
    public static byte[] RenderPng(IReadOnlyList<ImageCell> cells, ContactSheetLayout layout, string? source = null,
        ImageDecodeLimits? limits = null, Action<InputDataException>? unreadable = null)
    {
        using var sheet = Render(cells, layout, source, limits, unreadable);
        using var png = new MemoryStream();
        sheet.SaveAsPng(png);
        return png.ToArray();
    }

    /// <summary>
    /// Wraps an id and a caption into at most <paramref name="lines"/> lines of <paramref name="width"/> characters:
    /// the id on the first line, the caption word-wrapped after it, the last line ending in "..." when cut.
    /// </summary>
    public static IReadOnlyList<string> CaptionLines(string id, string? caption, int width, int lines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (lines <= 0) return [];
        return [Cut(Printable(id), width), .. TextWrap.Lines(caption ?? "", width, lines - 1)];
    }

    private static string Printable(string text) =>
        new(text.ReplaceLineEndings(" ").Select(c => char.IsWhiteSpace(c) ? ' ' : BitmapFont5x7.Printable(c)).ToArray());

    private static string Cut(string text, int width) =>
        text.Length <= width ? text : width <= 3 ? text[..width] : text[..(width - 3)] + "...";

    private static bool DrawThumbnail(Image<Rgba32> sheet, byte[] bytes, string name, ImageDecodeLimits? limits,
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
            Fill(sheet, left, top, size, size, Unreadable);
            return false;
        }
        using (thumb)
        {
            Fill(sheet, left, top, size, size, CellBackground);
            thumb.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Max }));
            var at = new Point(left + (size - thumb.Width) / 2, top + (size - thumb.Height) / 2);
            sheet.Mutate(x => x.DrawImage(thumb, at, 1f));
        }
        return true;
    }

    private static void DrawCaption(Image<Rgba32> sheet, string id, string? caption, int left, int top, ContactSheetLayout layout)
    {
        var lines = CaptionLines(id, caption, layout.CharsPerLine, layout.CaptionLines);
        for (int i = 0; i < lines.Count; i++)
        {
            BitmapFont5x7.Draw(lines[i], left, top + i * BitmapFont5x7.LineHeight * layout.FontScale, layout.FontScale, (x, y) =>
            {
                if ((uint)x < (uint)sheet.Width && (uint)y < (uint)sheet.Height) sheet[x, y] = Ink;
            });
        }
    }

    private static void Fill(Image<Rgba32> image, int left, int top, int width, int height, Rgba32 color) =>
        image.ProcessPixelRows(rows =>
        {
            for (int y = top; y < Math.Min(top + height, rows.Height); y++)
                rows.GetRowSpan(y).Slice(left, Math.Min(width, rows.Width - left)).Fill(color);
        });
}
