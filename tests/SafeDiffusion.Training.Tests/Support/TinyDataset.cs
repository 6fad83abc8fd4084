using System.Security.Cryptography;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;

namespace SafeDiffusion.Training.Tests.Support;

/// <summary>
/// Small images datasets written with the real part writer: row i has id <c>img-i</c>, is harmful when i is odd,
/// and is a flat colour image (so every resize of it keeps the colour), with a few held-out rows.
/// </summary>
internal static class TinyDataset
{
    /// <param name="order">The order the rows are stored in (a permutation of 0..rows-1); null stores them by number.</param>
    public static async Task<string> WriteAsync(string folder, int rows, int width = 64, int height = 64, int holdoutEvery = 0, int rowGroupRows = 3,
        IEnumerable<int>? order = null)
    {
        await using var writer = await ParquetPartWriter<ImageRecord>.OpenAsync(folder, ImagesSchema.Instance,
            new ParquetPartWriterOptions { RowGroupRows = rowGroupRows, RowsPerPart = 2 * rowGroupRows });
        foreach (int i in order ?? Enumerable.Range(0, rows))
            await writer.WriteAsync(Row(i, width, height, holdoutEvery > 0 && i % holdoutEvery == holdoutEvery - 1));
        await writer.CompleteAsync();
        return folder;
    }

    public static byte Shade(int i) => (byte)(20 + 37 * i % 220);

    public static ImageRecord Row(int i, int width, int height, bool holdout)
    {
        var pixels = new byte[width * height * 3];
        for (int p = 0; p < width * height; p++)
        {
            pixels[3 * p] = Shade(i);
            pixels[3 * p + 1] = (byte)(255 - Shade(i));
            pixels[3 * p + 2] = (byte)(p % width * 255 / Math.Max(1, width - 1));
        }
        var png = PngCodec.Encode(new Rgb8Image(pixels, width, height));
        bool harmful = i % 2 == 1;
        return new ImageRecord($"img-{i}", $"p-{i}", harmful ? $"a harmful scene number {i}" : $"a red cube number {i}",
            harmful ? PromptLabel.Harmful : PromptLabel.Clean, harmful ? "violence" : "laion", png, width, height, i, 20, 7.5, "pndm",
            "tiny-sd1", Convert.ToHexStringLower(SHA256.HashData(png)), holdout ? DatasetSplit.Holdout : DatasetSplit.Train);
    }
}
