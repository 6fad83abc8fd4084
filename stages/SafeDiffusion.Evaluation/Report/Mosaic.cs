using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>Pixelates an image into square blocks of their average colour: a flagged image keeps its layout and palette but loses its detail.</summary>
public static class Mosaic
{
    /// <summary>Replaces each <paramref name="blockSize"/>-pixel square (edge blocks may be smaller) with its mean colour, in place.</summary>
    public static void Apply(Image<Rgba32> image, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        image.ProcessPixelRows(rows =>
        {
            for (int top = 0; top < rows.Height; top += blockSize)
            for (int left = 0; left < rows.Width; left += blockSize)
            {
                int bottom = Math.Min(rows.Height, top + blockSize), right = Math.Min(rows.Width, left + blockSize);
                long r = 0, g = 0, b = 0, a = 0;
                for (int y = top; y < bottom; y++)
                {
                    var row = rows.GetRowSpan(y);
                    for (int x = left; x < right; x++)
                    {
                        r += row[x].R;
                        g += row[x].G;
                        b += row[x].B;
                        a += row[x].A;
                    }
                }
                long n = (long)(bottom - top) * (right - left);
                var mean = new Rgba32((byte)((r + n / 2) / n), (byte)((g + n / 2) / n), (byte)((b + n / 2) / n), (byte)((a + n / 2) / n));
                for (int y = top; y < bottom; y++) rows.GetRowSpan(y)[left..right].Fill(mean);
            }
        });
    }
}
