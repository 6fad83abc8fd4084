using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Datasets.Parts;

/// <summary>
/// Narrows a folder of parts to the rows that still belong in it (e.g. the images of the prompts a stage was given
/// this time), so a resumed folder never carries rows of inputs it no longer has.
/// </summary>
public static class PartFolderRetention
{
    /// <summary>
    /// Rewrites the parts of <paramref name="folder"/> keeping only rows whose id <paramref name="keep"/> accepts; the
    /// folder's other files (a settings marker) stay. Reads every row, so call it only when some id is known to go.
    /// The rewrite is built beside the folder and swapped in: interrupted before the swap, the folder is as it was;
    /// between the delete and the move, it is missing, and the next execution starts it afresh.
    /// </summary>
    /// <returns>How many rows were dropped.</returns>
    public static async Task<long> RetainAsync<TRow>(string folder, IRowSchema<TRow> schema, ParquetPartWriterOptions? options,
        Func<string, bool> keep, CancellationToken ct = default)
    {
        var rewritten = Path.TrimEndingDirectorySeparator(folder) + ".retain";
        if (Directory.Exists(rewritten)) Directory.Delete(rewritten, recursive: true);
        long dropped = 0;
        await using (var writer = await ParquetPartWriter<TRow>.OpenAsync(rewritten, schema, options, ct).ConfigureAwait(false))
        {
            await foreach (var row in new ParquetPartReader<TRow>(schema).ReadAsync(folder, ct).ConfigureAwait(false))
            {
                if (keep(schema.IdOf(row))) await writer.WriteAsync(row, ct).ConfigureAwait(false);
                else dropped++;
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        if (dropped == 0)
        {
            Directory.Delete(rewritten, recursive: true);
            return 0;
        }
        foreach (var file in Directory.EnumerateFiles(folder).Where(f => !f.EndsWith(PartFiles.Extension, StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(rewritten, Path.GetFileName(file)), overwrite: true);
        Directory.Delete(folder, recursive: true);
        Directory.Move(rewritten, folder);
        return dropped;
    }
}
