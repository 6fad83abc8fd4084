using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Images.Codecs;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>
/// Reference images for FID: a folder of PNG or JPEG files, or images-schema Parquet parts (a dataset's holdout
/// split). Streamed: statistics are accumulated without holding every image. Files with another image extension
/// (GIF, BMP, TIFF, WebP, ...) are refused by name rather than skipped, so the statistics never silently cover
/// fewer images than the folder holds.
/// </summary>
public static class ReferenceImages
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".tga", ".pbm", ".ppm", ".pgm" };

    /// <param name="limits">Caps on each image's size, checked before it is decoded (<see cref="ImageDecodeLimits.Default"/> when null).</param>
    /// <exception cref="InputDataException">The path holds no images, or an image is of another format, damaged or over the limits.</exception>
    public static IEnumerable<Rgb8Image> Read(string path, CancellationToken ct, ImageDecodeLimits? limits = null)
    {
        if (File.Exists(path) && path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || HasParquet(path))
        {
            foreach (var row in new ParquetPartReader<Core.Contracts.ImageRecord>(ImagesSchema.Instance).ReadAsync(path, ct).ToBlockingEnumerable(ct))
                yield return PngCodec.Decode(row.Png, $"{path}, image {row.ImageId}", limits);
            yield break;
        }
        if (!Directory.Exists(path))
            throw new InputDataException(path, "does not exist.", "stages.evaluate.references", "Give a folder of reference images or of images Parquet parts.");
        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f))).OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new InputDataException(path, "holds no image files (.png, .jpg, ...).", "stages.evaluate.references");
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            yield return PngCodec.Decode(File.ReadAllBytes(file), file, limits);
        }
    }

    private static bool HasParquet(string path) =>
        Directory.Exists(path) && Directory.EnumerateFiles(path, "*.parquet", SearchOption.AllDirectories).Any();
}
