using Parquet;
using Parquet.Schema;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Datasets.Foreign;

/// <summary>
/// Writes LAION-format metadata Parquet (columns SAMPLE_ID, URL, TEXT, WIDTH, HEIGHT, similarity, punsafe,
/// pwatermark, spelled as LAION spells them, all optional as pyarrow writes them), so data made here (the tiny
/// world's captions) goes through the same readers as real LAION parts. The file appears atomically.
/// </summary>
public static class LaionMetadataWriter
{
    public const int RowGroupRows = 50_000;

    public static async Task WriteAsync(string path, IReadOnlyList<LaionMetadataRow> rows, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sampleId = new DataField<long?>("SAMPLE_ID");
        var url = new DataField<string>("URL", nullable: true);
        var text = new DataField<string>("TEXT", nullable: true);
        var width = new DataField<long?>("WIDTH");
        var height = new DataField<long?>("HEIGHT");
        var similarity = new DataField<double?>("similarity");
        var punsafe = new DataField<double?>("punsafe");
        var pwatermark = new DataField<double?>("pwatermark");
        var schema = new ParquetSchema(sampleId, url, text, width, height, similarity, punsafe, pwatermark);

        await AtomicFile.WriteAsync(path, async (stream, token) =>
        {
            await using var writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, cancellationToken: token).ConfigureAwait(false);
            // An empty list still gets one (empty) row group, so readers see a valid table with the LAION columns.
            int groups = Math.Max(1, (rows.Count + RowGroupRows - 1) / RowGroupRows);
            for (int g = 0; g < groups; g++)
            {
                var chunk = rows.Skip(g * RowGroupRows).Take(RowGroupRows).ToList();
                using var group = writer.CreateRowGroup();
                await group.WriteAsync<long>(sampleId, chunk.Select(r => (long?)r.SampleId).ToArray().AsMemory(), cancellationToken: token).ConfigureAwait(false);
                await group.WriteAsync(url, chunk.Select(r => (string?)r.Url).ToList()).ConfigureAwait(false);
                await group.WriteAsync(text, chunk.Select(r => (string?)r.Text).ToList()).ConfigureAwait(false);
                await group.WriteAsync<long>(width, chunk.Select(r => (long?)r.Width).ToArray().AsMemory(), cancellationToken: token).ConfigureAwait(false);
                await group.WriteAsync<long>(height, chunk.Select(r => (long?)r.Height).ToArray().AsMemory(), cancellationToken: token).ConfigureAwait(false);
                await group.WriteAsync<double>(similarity, chunk.Select(r => (double?)r.Similarity).ToArray().AsMemory(), cancellationToken: token).ConfigureAwait(false);
                await group.WriteAsync<double>(punsafe, chunk.Select(r => (double?)r.Punsafe).ToArray().AsMemory(), cancellationToken: token).ConfigureAwait(false);
                await group.WriteAsync<double>(pwatermark, chunk.Select(r => (double?)r.Pwatermark).ToArray().AsMemory(), cancellationToken: token).ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false);
    }
}
