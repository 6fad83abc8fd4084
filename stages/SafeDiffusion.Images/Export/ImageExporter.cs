using System.Text;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Datasets.Inspection;
using SixLabors.ImageSharp;

namespace SafeDiffusion.Images.Export;

/// <summary>
/// Writes dataset images out as <c>DIR/&lt;image_id&gt;.png</c>. PNG bytes are written as stored (byte-identical to
/// the dataset); other formats ImageSharp can decode are converted to PNG; anything else is listed as unreadable.
/// Each file appears atomically.
/// </summary>
public static class ImageExporter
{
    public static ImageExportResult Export(IEnumerable<ImageCell> cells, string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var unreadable = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            var png = ToPng(cell.Bytes);
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

    private static byte[]? ToPng(byte[] bytes)
    {
        if (PngHeader.IsPng(bytes)) return bytes;
        try
        {
            using var image = Image.Load(bytes);
            using var png = new MemoryStream();
            image.SaveAsPng(png);
            return png.ToArray();
        }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            return null;
        }
    }
}
