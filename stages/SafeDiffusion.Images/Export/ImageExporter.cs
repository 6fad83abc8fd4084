using System.Text;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Datasets.Inspection;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Images.Codecs;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Images.Export;

/// <summary>
/// Writes dataset images out as <c>DIR/&lt;image_id&gt;.png</c>. PNG bytes are written as stored (byte-identical to
/// the dataset); JPEG is converted to PNG; anything else is listed as unreadable.
/// Each file appears atomically.
/// </summary>
public static class ImageExporter
{
    /// <summary>
    /// Writes each cell's image; images <see cref="BoundedImageDecoder"/> refuses (other formats, damaged, larger than
    /// <paramref name="limits"/>) are listed as unreadable and passed to <paramref name="refused"/> with the reason.
    /// <paramref name="source"/> names the dataset in those reasons.
    /// </summary>
    public static ImageExportResult Export(IEnumerable<ImageCell> cells, string directory, string? source = null,
        ImageDecodeLimits? limits = null, Action<InputDataException>? refused = null)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var unreadable = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            var png = ToPng(cell.Bytes, source is null ? $"image {cell.Id}" : $"{source}, image {cell.Id}", limits, refused);
            if (png is null)
            {
                unreadable.Add(cell.Id);
                continue;
            }
            var stem = SafeFileStem(cell.Id);
            var name = stem;
            for (int n = 2; !used.Add(name); n++) name = $"{stem}-{n}";
            var path = Path.Combine(directory, name + ".png");
            AtomicFile.WriteAllBytes(path, png);
            written.Add(path);
        }
        return new ImageExportResult(written, unreadable);
    }

    /// <summary>An id as a file name: letters, digits, '.', '-' and '_' kept, anything else replaced by '_'.</summary>
    public static string SafeFileStem(string id)
    {
        var sb = new StringBuilder(id.Length);
        foreach (var c in id) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        var stem = sb.ToString().TrimStart('.');
        return stem.Length == 0 ? "image" : stem;
    }

    private static byte[]? ToPng(byte[] bytes, string name, ImageDecodeLimits? limits, Action<InputDataException>? unreadable)
    {
        try
        {
            // A PNG is written as stored once its header passes the same checks as every decoded image.
            if (PngHeader.IsPng(bytes))
            {
                BoundedImageDecoder.Identify(bytes, name, limits);
                return bytes;
            }
            using var image = BoundedImageDecoder.Decode<Rgba32>(bytes, name, limits);
            using var png = new MemoryStream();
            image.SaveAsPng(png);
            return png.ToArray();
        }
        catch (InputDataException e)
        {
            unreadable?.Invoke(e);
            return null;
        }
    }
}
