using System.Buffers.Binary;
using Parquet;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Datasets.Parts;

/// <summary>
/// Opens any Parquet file for reading, turning what can be wrong with it (not Parquet at all, cut short, footer
/// damaged) into an <see cref="InputDataException"/> that names the file and says what to do, before Parquet.Net
/// gets to throw something obscure. The footer's row counts and column offsets are checked against the file size
/// (<see cref="ParquetFooterCheck"/>) before any reader sizes an array from them.
/// </summary>
public static class ParquetFileOpener
{
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Fails with a clear message unless <paramref name="file"/> starts and ends like a whole Parquet file.</summary>
    public static void CheckFraming(string file)
    {
        using var fs = OpenStream(file);
        CheckFraming(file, fs);
    }

    /// <summary>A reader over a whole Parquet file whose footer fits the file; the caller disposes it.</summary>
    /// <exception cref="InputDataException">Missing, unreadable, not Parquet, cut short, or a damaged footer.</exception>
    public static async Task<ParquetReader> OpenAsync(string file, CancellationToken ct = default)
    {
        var fs = OpenStream(file);
        try
        {
            CheckFraming(file, fs);
            fs.Position = 0;
            long length = fs.Length;
            ParquetReader reader;
            try
            {
                reader = await ParquetReader.CreateAsync(fs, new ParquetOptions(), leaveStreamOpen: false, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new InputDataException(file, $"its Parquet footer cannot be decoded ({e.Message}); the file is damaged.",
                    fix: "Delete it and rerun the stage that wrote it, or copy it again from its source.", inner: e);
            }
            try
            {
                ParquetFooterCheck.Validate(file, length, reader);
                return reader;
            }
            catch
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            await fs.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static FileStream OpenStream(string file)
    {
        try
        {
            return new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: false);
        }
        catch (FileNotFoundException e)
        {
            throw new InputDataException(file, "does not exist.", fix: "Check the path.", inner: e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InputDataException(file, "cannot be read (permission denied).", fix: "Check the file's permissions.", inner: e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new InputDataException(file, "does not exist (its folder is missing).", fix: "Check the path.", inner: e);
        }
        catch (IOException e)
        {
            throw new InputDataException(file, $"cannot be opened ({e.Message}).", fix: "Check the path.", inner: e);
        }
    }

    private static void CheckFraming(string file, FileStream fs)
    {
        long length = fs.Length;
        Span<byte> head = stackalloc byte[4];
        int got = fs.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (got < 4 || !head.SequenceEqual(Magic))
            throw new InputDataException(file,
                $"is not a Parquet file (no PAR1 magic at its start; it begins with {Describe(head[..got])}).",
                fix: "Point the command at a .parquet file or at a folder of part files.");
        // Smallest whole file: magic, footer (at least a few bytes), 4-byte footer length, magic.
        Span<byte> tail = stackalloc byte[8];
        if (length >= 12)
        {
            fs.Position = length - 8;
            fs.ReadExactly(tail);
        }
        if (length < 12 || !tail[4..].SequenceEqual(Magic))
            throw new InputDataException(file,
                $"is truncated: it starts like a Parquet file but does not end with the PAR1 footer magic ({length} bytes), " +
                "so it was cut short (a killed writer or an interrupted copy).",
                fix: "Delete it and rerun the stage that wrote it (finished rows elsewhere are kept), or copy it again from its source.");
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail[..4]);
        if (footerLength <= 0 || footerLength > length - 12)
            throw new InputDataException(file,
                $"is damaged: its footer length ({footerLength} bytes) does not fit in the file ({length} bytes).",
                fix: "Delete it and rerun the stage that wrote it, or copy it again from its source.");
    }

    private static string Describe(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 0 ? "nothing (the file is empty)" : string.Join(' ', bytes.ToArray().Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
}
