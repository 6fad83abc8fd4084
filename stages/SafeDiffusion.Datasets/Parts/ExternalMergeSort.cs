using System.Runtime.CompilerServices;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Datasets.Parts;

/// <summary>
/// Orders rows by their schema id (ordinal) within a memory budget, keeping the first row of each id as the part
/// writer does, so that a dataset written from rows that
/// arrived in generation order (which depends on timing: two upstream stages, parallel encoders, several replicas)
/// comes out byte for byte the same in every run.
/// </summary>
/// <remarks>
/// Rows are buffered until their estimated size passes the budget, then sorted and spilled as one Parquet run into
/// <c>spillFolder</c> (uncompressed: PNG bytes do not compress); the runs are then merged, reading one row group of
/// each at a time. Rows that fit the budget never touch the disk.
/// The spill folder is removed when the enumeration ends, however it ends; a folder left by a killed process is
/// removed when the next sort starts.
/// </remarks>
public sealed class ExternalMergeSort<TRow>
{
    /// <summary>Rows per row group in a spilled run: the merge holds one group of every run in memory.</summary>
    private const int SpillRowGroupRows = 16;

    private readonly IRowSchema<TRow> _schema;
    private readonly long _memoryBudgetBytes;
    private readonly string _spillFolder;

    /// <param name="memoryBudgetBytes">Bytes of rows (their PNGs and strings, roughly) held before a run is spilled.</param>
    /// <param name="spillFolder">A folder of this sort's own; a dot-folder keeps its parts out of every listing.</param>
    public ExternalMergeSort(IRowSchema<TRow> schema, long memoryBudgetBytes, string spillFolder)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBudgetBytes);
        _schema = schema;
        _memoryBudgetBytes = memoryBudgetBytes;
        _spillFolder = Path.GetFullPath(spillFolder);
    }

    /// <summary>Runs spilled to disk by the last enumeration (0 when every row fitted the budget).</summary>
    public int RunsSpilled { get; private set; }

    public async IAsyncEnumerable<TRow> SortAsync(IAsyncEnumerable<TRow> rows, [EnumeratorCancellation] CancellationToken ct = default)
    {
        RunsSpilled = 0;
        RemoveSpill();
        try
        {
            var buffer = new List<TRow>();
            long bytes = 0;
            await foreach (var row in rows.WithCancellation(ct).ConfigureAwait(false))
            {
                buffer.Add(row);
                bytes += SizeOf(row);
                if (bytes < _memoryBudgetBytes) continue;
                await SpillAsync(Sorted(buffer), ct).ConfigureAwait(false);
                buffer.Clear();
                bytes = 0;
            }

            if (RunsSpilled == 0)
            {
                foreach (var row in Sorted(buffer)) yield return row;
                yield break;
            }
            if (buffer.Count > 0) await SpillAsync(Sorted(buffer), ct).ConfigureAwait(false);
            buffer.Clear();
            string? last = null;
            await foreach (var row in MergeRunsAsync(ct).ConfigureAwait(false))
            {
                // Each run is distinct already; an id spilled in two runs is dropped the second time.
                var id = _schema.IdOf(row);
                if (last is not null && string.Equals(id, last, StringComparison.Ordinal)) continue;
                last = id;
                yield return row;
            }
        }
        finally
        {
            RemoveSpill();
        }
    }

    /// <summary>The rows by id, the first of each id only (OrderBy is stable: the first in input order leads its group).</summary>
    private List<TRow> Sorted(List<TRow> rows) =>
        rows.Select(r => (Id: _schema.IdOf(r), Row: r))
            .OrderBy(x => x.Id, StringComparer.Ordinal)
            .DistinctBy(x => x.Id, StringComparer.Ordinal)
            .Select(x => x.Row)
            .ToList();

    private async Task SpillAsync(List<TRow> sorted, CancellationToken ct)
    {
        var folder = RunFolder(RunsSpilled);
        var options = new ParquetPartWriterOptions
        {
            RowGroupRows = SpillRowGroupRows,
            RowsPerPart = int.MaxValue,
            Compression = PartCompression.None,
        };
        await using var writer = await ParquetPartWriter<TRow>.OpenAsync(folder, _schema, options, ct).ConfigureAwait(false);
        foreach (var row in sorted) await writer.WriteAsync(row, ct).ConfigureAwait(false);
        await writer.CompleteAsync().ConfigureAwait(false);
        RunsSpilled++;
    }

    private async IAsyncEnumerable<TRow> MergeRunsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var reader = new ParquetPartReader<TRow>(_schema);
        var runs = new List<IAsyncEnumerator<TRow>>();
        try
        {
            // Ties go to the earlier run, which holds the earlier input rows: the merge is stable too.
            var heads = new PriorityQueue<int, (string Id, int Run)>(Comparer<(string Id, int Run)>.Create((a, b) =>
            {
                int byId = string.CompareOrdinal(a.Id, b.Id);
                return byId != 0 ? byId : a.Run.CompareTo(b.Run);
            }));
            for (int r = 0; r < RunsSpilled; r++)
            {
                var run = reader.ReadAsync(RunFolder(r), ct).GetAsyncEnumerator(ct);
                runs.Add(run);
                if (await run.MoveNextAsync().ConfigureAwait(false)) heads.Enqueue(r, (_schema.IdOf(run.Current), r));
            }
            while (heads.TryDequeue(out int next, out _))
            {
                var run = runs[next];
                yield return run.Current;
                if (await run.MoveNextAsync().ConfigureAwait(false)) heads.Enqueue(next, (_schema.IdOf(run.Current), next));
            }
        }
        finally
        {
            foreach (var run in runs) await run.DisposeAsync().ConfigureAwait(false);
        }
    }

    private long SizeOf(TRow row) => 32 + _schema.Columns.Sum(c => c.MemoryBytes(row));

    private string RunFolder(int run) => Path.Combine(_spillFolder, $"run-{run:D4}");

    private void RemoveSpill()
    {
        if (Directory.Exists(_spillFolder)) Directory.Delete(_spillFolder, recursive: true);
    }
}
