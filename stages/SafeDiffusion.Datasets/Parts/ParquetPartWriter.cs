using System.Collections.Frozen;
using System.IO.Compression;
using Parquet;
using Parquet.Schema;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Datasets.Parts;

/// <summary>
/// Writes records of one schema into a dataset folder as Parquet part files (<c>part-00000.parquet</c>, ...).
/// </summary>
/// <remarks>
/// <para>Atomic: a part is written under a hidden temp name (<see cref="AtomicFile"/> conventions), flushed to
/// disk and renamed when it holds <see cref="ParquetPartWriterOptions.RowsPerPart"/> rows or the writer completes.
/// A killed writer leaves only the temp, which no reader lists and the next writer removes.</para>
/// <para>Resumable: ids in the folder's finished parts (all shard folders included) are read at open
/// (<see cref="ExistingIds"/>); rows with an id already written are skipped, so a rerun writes only what is missing.</para>
/// <para>Bounded: rows are buffered one row group at a time; a full group is encoded and written on a background
/// task while the next fills, and a writer that gets two groups ahead waits. Memory is about two row groups.</para>
/// <para>One producer calls <see cref="WriteAsync"/>; <see cref="Contains"/> may be called from any thread.</para>
/// </remarks>
public sealed class ParquetPartWriter<TRow> : IAsyncDisposable
{
    private readonly IRowSchema<TRow> _schema;
    private readonly ParquetPartWriterOptions _options;
    private readonly ParquetSchema _parquetSchema;
    private readonly DataField[] _fields;
    private readonly ParquetOptions _parquetOptions;
    private readonly HashSet<string> _writtenIds = new(StringComparer.Ordinal);
    private readonly Lock _idsLock = new();
    private readonly List<string> _completedParts = [];
    private readonly Lock _partsLock = new();

    private List<TRow> _filling;
    private List<TRow>? _spare;
    private int _rowsAssignedToPart;
    private Task? _inFlight;
    private OpenPart? _part;
    private int _nextPartIndex;
    private long _rowGroupsWritten;
    private bool _faulted;
    private bool _completed;
    private bool _disposed;

    private ParquetPartWriter(string datasetFolder, IRowSchema<TRow> schema, ParquetPartWriterOptions options, IReadOnlySet<string> existing)
    {
        _schema = schema;
        _options = options;
        DatasetFolder = datasetFolder;
        PartFolder = options.ShardFolder is null ? datasetFolder : Path.Combine(datasetFolder, options.ShardFolder);
        ExistingIds = existing.ToFrozenSet(StringComparer.Ordinal);
        _fields = schema.Columns.Select(c => c.CreateField()).ToArray();
        _parquetSchema = new ParquetSchema(_fields);
        _parquetOptions = new ParquetOptions
        {
            CompressionMethod = options.Compression switch
            {
                PartCompression.None => CompressionMethod.None,
                PartCompression.Snappy => CompressionMethod.Snappy,
                PartCompression.Gzip => CompressionMethod.Gzip,
                PartCompression.Zstd => CompressionMethod.Zstd,
                _ => throw new ArgumentOutOfRangeException(nameof(options), options.Compression, "unknown compression"),
            },
            // Parquet.Net 6.1 defaults to SmallestSize, which makes gzip/zstd several times slower for little gain.
            CompressionLevel = CompressionLevel.Optimal,
        };
        _filling = new List<TRow>(Math.Min(options.RowGroupRows, options.RowsPerPart));
    }

    /// <summary>
    /// Opens a writer on <paramref name="datasetFolder"/> (created if missing): reads the ids of the parts already
    /// there, removes temps that dead writers left in this writer's part folder, and numbers new parts after the
    /// existing ones. A part of another schema, or a damaged one, fails here with an <c>InputDataException</c>.
    /// </summary>
    public static async Task<ParquetPartWriter<TRow>> OpenAsync(
        string datasetFolder, IRowSchema<TRow> schema, ParquetPartWriterOptions? options = null, CancellationToken ct = default)
    {
        options ??= ParquetPartWriterOptions.Default;
        options.Validate();
        var root = Path.GetFullPath(datasetFolder);
        Directory.CreateDirectory(root);
        var existing = await new ParquetPartReader<TRow>(schema).ReadIdsAsync(root, ct).ConfigureAwait(false);
        var writer = new ParquetPartWriter<TRow>(root, schema, options, existing);
        Directory.CreateDirectory(writer.PartFolder);
        // Only this writer's own folder: on shared storage another shard's temp may belong to a live process elsewhere.
        AtomicFile.CleanStaleTemps(writer.PartFolder);
        writer._nextPartIndex = Directory.EnumerateFiles(writer.PartFolder, "part-*" + PartFiles.Extension)
            .Select(f => PartFiles.TryParsePartIndex(Path.GetFileName(f), out var i) ? i : -1)
            .DefaultIfEmpty(-1)
            .Max() + 1;
        return writer;
    }

    public IRowSchema<TRow> Schema => _schema;

    public string DatasetFolder { get; }

    /// <summary>Where this writer's parts go: the dataset folder or its shard sub-folder.</summary>
    public string PartFolder { get; }

    /// <summary>Ids found in the folder's finished parts when the writer opened; the image stage skips generating these.</summary>
    public IReadOnlySet<string> ExistingIds { get; }

    /// <summary>Rows accepted by <see cref="WriteAsync"/> this session (all are on disk once the writer completes).</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Rows not written because their id was already in the folder or already written this session.</summary>
    public long RowsSkipped { get; private set; }

    public long RowGroupsWritten => Interlocked.Read(ref _rowGroupsWritten);

    /// <summary>Final paths of the parts this writer has made visible so far.</summary>
    public IReadOnlyList<string> CompletedParts
    {
        get { lock (_partsLock) return _completedParts.ToList(); }
    }

    /// <summary>True when a row with this id is already in the dataset or was written this session.</summary>
    public bool Contains(string id)
    {
        if (ExistingIds.Contains(id)) return true;
        lock (_idsLock) return _writtenIds.Contains(id);
    }

    /// <summary>
    /// Adds a row; returns false (and writes nothing) when its id is already in the dataset. Waits only when the
    /// previous row group is still being written; <paramref name="ct"/> cancels that wait, never a write in progress.
    /// </summary>
    public async ValueTask<bool> WriteAsync(TRow row, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) throw new InvalidOperationException("the writer is complete; open a new one to add rows");
        if (_faulted) throw new InvalidOperationException("an earlier row group failed to write; this writer cannot continue");
        var id = _schema.IdOf(row);
        if (ExistingIds.Contains(id))
        {
            RowsSkipped++;
            return false;
        }
        lock (_idsLock)
        {
            if (!_writtenIds.Add(id))
            {
                RowsSkipped++;
                return false;
            }
        }
        _filling.Add(row);
        RowsWritten++;
        if (_filling.Count >= Math.Min(_options.RowGroupRows, _options.RowsPerPart - _rowsAssignedToPart))
            await StartGroupAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Writes the buffered rows and makes the last part visible. Disposing does the same.</summary>
    public async Task CompleteAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed) return;
        if (_faulted) throw new InvalidOperationException("an earlier row group failed to write; this writer cannot complete");
        try
        {
            await AwaitInFlightAsync(CancellationToken.None).ConfigureAwait(false);
            if (_filling.Count > 0)
            {
                var rows = _filling;
                _filling = [];
                await WriteGroupAsync(rows, closesPart: true).ConfigureAwait(false);
            }
            else if (_part is not null)
            {
                await ClosePartAsync(_part).ConfigureAwait(false);
            }
            _completed = true;
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>
    /// Completes the writer (buffered rows are written, even after a cancellation: they are whole records). After a
    /// failure the unfinished part's temp is deleted instead; earlier parts stay.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        try
        {
            if (!_completed && !_faulted) await CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _disposed = true;
            if (_faulted) await AbortAsync().ConfigureAwait(false);
        }
    }

    private async Task StartGroupAsync(CancellationToken ct)
    {
        await AwaitInFlightAsync(ct).ConfigureAwait(false);
        var rows = _filling;
        _filling = _spare ?? new List<TRow>(rows.Capacity);
        _spare = null;
        _rowsAssignedToPart += rows.Count;
        bool closesPart = _rowsAssignedToPart >= _options.RowsPerPart;
        if (closesPart) _rowsAssignedToPart = 0;
        // A separate task so encoding this group overlaps with the producer filling the next one.
        _inFlight = Task.Run(async () =>
        {
            await WriteGroupAsync(rows, closesPart).ConfigureAwait(false);
            rows.Clear();
            _spare = rows;
        });
    }

    private async Task AwaitInFlightAsync(CancellationToken ct)
    {
        if (_inFlight is not { } inFlight) return;
        try
        {
            await inFlight.WaitAsync(ct).ConfigureAwait(false);
            _inFlight = null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Only the wait was cancelled: the group keeps writing and completion awaits it.
            throw;
        }
        catch
        {
            _inFlight = null;
            _faulted = true;
            throw;
        }
    }

    /// <summary>Writes one row group into the open part (opening one first if needed); runs one at a time.</summary>
    private async Task WriteGroupAsync(List<TRow> rows, bool closesPart)
    {
        var part = _part ??= await OpenPartAsync().ConfigureAwait(false);
        // Never cancelled half-way: a row group cut short would leave the part's footer describing columns it lacks.
        using (var rowGroup = part.Writer.CreateRowGroup())
        {
            for (int c = 0; c < _fields.Length; c++)
                await _schema.Columns[c].WriteAsync(rowGroup, _fields[c], rows, CancellationToken.None).ConfigureAwait(false);
            rowGroup.CompleteValidate();
        }
        Interlocked.Increment(ref _rowGroupsWritten);
        if (closesPart) await ClosePartAsync(part).ConfigureAwait(false);
    }

    private async Task<OpenPart> OpenPartAsync()
    {
        var final = Path.Combine(PartFolder, PartFiles.PartName(_nextPartIndex++));
        var temp = AtomicFile.TempPathFor(final);
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        try
        {
            var writer = await ParquetWriter.CreateAsync(_parquetSchema, stream, _parquetOptions).ConfigureAwait(false);
            writer.CustomMetadata = SchemaMetadata.For(_schema);
            return new OpenPart(stream, writer, temp, final);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            TryDelete(temp);
            throw;
        }
    }

    private async Task ClosePartAsync(OpenPart part)
    {
        _part = null;
        await part.Writer.DisposeAsync().ConfigureAwait(false);
        await part.Stream.FlushAsync().ConfigureAwait(false);
        part.Stream.Flush(flushToDisk: true);
        await part.Stream.DisposeAsync().ConfigureAwait(false);
        var final = part.FinalPath;
        // Never over an existing part: take the next free number if something appeared under this name meanwhile.
        while (true)
        {
            try
            {
                File.Move(part.TempPath, final, overwrite: false);
                break;
            }
            catch (IOException) when (File.Exists(final))
            {
                final = Path.Combine(PartFolder, PartFiles.PartName(_nextPartIndex++));
            }
        }
        AtomicFile.FlushDirectory(PartFolder);
        lock (_partsLock) _completedParts.Add(final);
    }

    private async Task AbortAsync()
    {
        if (_inFlight is { } inFlight)
        {
            try { await inFlight.ConfigureAwait(false); }
            catch (Exception) { /* already reported to the producer, or about to be by the caller */ }
            _inFlight = null;
        }
        if (_part is { } part)
        {
            _part = null;
            await part.Stream.DisposeAsync().ConfigureAwait(false);
            TryDelete(part.TempPath);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private sealed class OpenPart(FileStream stream, ParquetWriter writer, string tempPath, string finalPath)
    {
        public FileStream Stream { get; } = stream;
        public ParquetWriter Writer { get; } = writer;
        public string TempPath { get; } = tempPath;
        public string FinalPath { get; } = finalPath;
    }
}
