using System.Security.Cryptography;
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
/// the dataset); JPEG is converted to PNG; anything else is listed as unreadable. Ids become safe, bounded file
/// names (<see cref="SafeFileStem"/>), and an existing file is never written over: the export stops before
/// writing anything when one of its names is taken. Each file appears atomically.
/// </summary>
public static class ImageExporter
{
    /// <summary>The longest file stem an id becomes; longer ids are cut and keep a hash of the whole id.</summary>
    public const int MaxStemLength = 100;

    /// <summary>
    /// Writes each cell's image; images <see cref="BoundedImageDecoder"/> refuses (other formats, damaged, larger than
    /// <paramref name="limits"/>) are listed as unreadable and passed to <paramref name="refused"/> with the reason.
    /// <paramref name="source"/> names the dataset in those reasons.
    /// </summary>
    /// <exception cref="UsageException">A file this export would write already exists (nothing is written then).</exception>
    public static ImageExportResult Export(IEnumerable<ImageCell> cells, string directory, string? source = null,
        ImageDecodeLimits? limits = null, Action<InputDataException>? refused = null)
    {
        var planned = new List<(ImageCell Cell, string Path)>();
        // Case-insensitive: on macOS and Windows "A.png" and "a.png" are the same file.
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var cell in cells)
        {
            var stem = SafeFileStem(cell.Id);
            var name = stem;
            for (int n = 2; !used.Add(name); n++) name = $"{stem}-{n}";
            planned.Add((cell, Path.Combine(directory, name + ".png")));
        }
        if (planned.FirstOrDefault(p => File.Exists(p.Path) || Directory.Exists(p.Path)).Path is { } taken)
            throw new UsageException($"--export-images: {taken} already exists, and exported images never replace a file. " +
                "Choose an empty folder, or remove the earlier export first.");

        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var unreadable = new List<string>();
        foreach (var (cell, path) in planned)
        {
            var png = ToPng(cell.Bytes, source is null ? $"image {cell.Id}" : $"{source}, image {cell.Id}", limits, refused);
            if (png is null)
            {
                unreadable.Add(cell.Id);
                continue;
            }
            WriteNew(path, png);
            written.Add(path);
        }
        return new ImageExportResult(written, unreadable);
    }

    /// <summary>
    /// An id as a file name: letters, digits, '.', '-' and '_' kept, anything else (path separators included)
    /// replaced by '_', leading dots dropped, and at most <see cref="MaxStemLength"/> characters: a longer id keeps
    /// its start and ends in 8 hex digits of its SHA-256, so two long ids that share a start stay apart.
    /// </summary>
    public static string SafeFileStem(string id)
    {
        var sb = new StringBuilder(id.Length);
        foreach (var c in id) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        var stem = sb.ToString().TrimStart('.');
        if (stem.Length == 0) return "image";
        if (stem.Length <= MaxStemLength) return stem;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..8];
        return stem[..(MaxStemLength - 9)].TrimEnd('.') + "-" + hash;
    }

    private static void WriteNew(string path, byte[] png)
    {
        var temp = AtomicFile.TempPathFor(path);
        File.WriteAllBytes(temp, png);
        try
        {
            // No overwrite: a file that appeared since the check above is left as it is.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException e) when (File.Exists(path))
        {
            File.Delete(temp);
            throw new UsageException($"--export-images: {path} already exists, and exported images never replace a file.", e);
        }
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
