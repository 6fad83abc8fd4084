namespace SafeDiffusion.Images.Sheets;

/// <summary>
/// The geometry of a contact sheet. Every cell is a <see cref="CellSize"/> square for the thumbnail, a
/// <see cref="CaptionGap"/>, then <see cref="CaptionLines"/> lines of 5x7 text; cells and the sheet's border are
/// separated by <see cref="Padding"/>. So a sheet of n images is
/// <c>Padding + columns * (CellSize + Padding)</c> wide and <c>Padding + rows * (CellSize + CaptionGap +
/// CaptionLines * 9 * FontScale + Padding)</c> high, with columns = min(<see cref="Columns"/>, n) and
/// rows = ceil(n / columns).
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

    /// <summary>Each font pixel drawn as a FontScale x FontScale square.</summary>
    public int FontScale { get; init; } = 1;

    public int CaptionHeight => CaptionLines * BitmapFont5x7.LineHeight * FontScale;

    /// <summary>Characters that fit on one caption line.</summary>
    public int CharsPerLine => Math.Max(1, (CellSize + FontScale) / (BitmapFont5x7.Advance * FontScale));

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
        ArgumentOutOfRangeException.ThrowIfLessThan(FontScale, 1, nameof(FontScale));
    }
}
