using SafeDiffusion.Images.Drawing;

namespace SafeDiffusion.Images.Sheets;

/// <summary>
/// The geometry of a contact sheet. Every cell is a <see cref="CellSize"/> square for the thumbnail, a
/// <see cref="CaptionGap"/>, then <see cref="CaptionLines"/> lines of text at <see cref="FontSize"/>; cells and the
/// sheet's border are separated by <see cref="Padding"/>. So a sheet of n images is
/// <c>Padding + columns * (CellSize + Padding)</c> wide and <c>Padding + rows * (CellSize + CaptionGap +
/// CaptionHeight + Padding)</c> high, with columns = min(<see cref="Columns"/>, n) and rows = ceil(n / columns).
/// </summary>
public sealed record ContactSheetLayout
{
    public int Columns { get; init; } = 4;

    /// <summary>Side of the square each thumbnail is fitted into (aspect ratio kept).</summary>
    public int CellSize { get; init; } = 128;

    public int Padding { get; init; } = 8;

    public int CaptionGap { get; init; } = 4;

    /// <summary>Caption lines under each thumbnail: the image id, then the caption wrapped.</summary>
    public int CaptionLines { get; init; } = 3;

    /// <summary>Caption text size, pixels per em.</summary>
    public float FontSize { get; init; } = 11;

    /// <summary>Height of the caption block: <see cref="CaptionLines"/> lines at the font's line spacing.</summary>
    public int CaptionHeight => CaptionLines * DrawingCanvas.LineHeight(FontSize);

    public (int Width, int Height) Measure(int imageCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(imageCount, 1);
        int columns = Math.Min(Columns, imageCount);
        int rows = (imageCount + columns - 1) / columns;
        return (Padding + columns * (CellSize + Padding), Padding + rows * (CellSize + CaptionGap + CaptionHeight + Padding));
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Columns, 1, nameof(Columns));
        ArgumentOutOfRangeException.ThrowIfLessThan(CellSize, 8, nameof(CellSize));
        ArgumentOutOfRangeException.ThrowIfNegative(Padding, nameof(Padding));
        ArgumentOutOfRangeException.ThrowIfNegative(CaptionGap, nameof(CaptionGap));
        ArgumentOutOfRangeException.ThrowIfNegative(CaptionLines, nameof(CaptionLines));
        ArgumentOutOfRangeException.ThrowIfLessThan(FontSize, 6, nameof(FontSize));
    }
}
