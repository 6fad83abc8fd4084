using System.IO.MemoryMappedFiles;
using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Safetensors;

/// <summary>One tensor's header entry: element type, shape, and byte range within the data section.</summary>
public sealed record SafetensorsEntry(string Name, SafetensorsDType DType, long[] Shape, long Begin, long End)
{
    /// <summary>The product of the dimensions.</summary>
    /// <exception cref="OverflowException">The product does not fit a long (a header checked by <see cref="SafetensorsFile"/> never has one).</exception>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));
    public long ByteLength => End - Begin;
}

/// <summary>
/// A safetensors file opened by memory mapping: the header is parsed and validated up front (so a malformed file
/// fails before any weights move, naming the file and tensor), and tensor bytes are read straight from the map.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable, IAsyncDisposable
{
    private const long MaxHeaderBytes = 100L << 20;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataStart;
    private bool _disposed;
    private bool _deleteOnDispose;

    private SafetensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, long dataStart,
        IReadOnlyDictionary<string, SafetensorsEntry> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _view = view;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
        if (view is not null)
        {
            byte* p = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            _base = p + view.PointerOffset;
        }
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, SafetensorsEntry> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Opens a file this process wrote for one load (e.g. a pickle converted to safetensors) and deletes it when
    /// disposed; the file must not be shared.
    /// </summary>
    public static SafetensorsFile OpenTemporary(string path)
    {
        var file = Open(path);
        file._deleteOnDispose = true;
        return file;
    }

    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path)) throw new InputDataException(path, "does not exist.");
        long fileLength = new FileInfo(path).Length;
        if (fileLength < 8) throw new InputDataException(path, $"is {fileLength} bytes long, too short for a safetensors header.");

        Span<byte> lenBytes = stackalloc byte[8];
        using (var fs = File.OpenRead(path)) fs.ReadExactly(lenBytes);
        long headerLength = BitConverter.ToInt64(lenBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > fileLength)
            throw new InputDataException(path, $"declares a header of {headerLength} bytes but the file has {fileLength} bytes; it is truncated or not a safetensors file.");

        var header = new byte[headerLength];
        using (var fs = File.OpenRead(path))
        {
            fs.Position = 8;
            fs.ReadExactly(header);
        }
        long dataStart = 8 + headerLength;
        long dataLength = fileLength - dataStart;
        var (tensors, metadata) = ParseHeader(path, header, dataLength);

        if (fileLength == 0 || dataLength == 0)
            return new SafetensorsFile(path, null, null, dataStart, tensors, metadata);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, fileLength, MemoryMappedFileAccess.Read);
        return new SafetensorsFile(path, map, view, dataStart, tensors, metadata);
    }

    internal static (Dictionary<string, SafetensorsEntry>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(header.AsMemory().TrimEnd((byte)' ')); }
        catch (JsonException e) { throw new InputDataException(path, $"has a header that is not valid JSON ({e.Message})."); }
        using var _ = doc;
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new InputDataException(path, "has a header that is not a JSON object.");

        var tensors = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>();
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            if (prop.Name == "__metadata__")
            {
                if (prop.Value.ValueKind == JsonValueKind.Object)
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                continue;
            }
            tensors[prop.Name] = ParseEntry(path, prop.Name, prop.Value, dataLength);
        }

        // Overlapping byte ranges mean a corrupt or hostile file: two tensors would alias one another.
        SafetensorsEntry? previous = null;
        foreach (var e in tensors.Values.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (previous is not null && e.Begin < previous.End && e.ByteLength > 0)
                throw new InputDataException(path, $"bytes {e.Begin}..{e.End} overlap tensor '{previous.Name}' ({previous.Begin}..{previous.End}).", $"tensor '{e.Name}'");
            if (e.ByteLength > 0) previous = e;
        }
        return (tensors, metadata);
    }

    private static SafetensorsEntry ParseEntry(string path, string name, JsonElement value, long dataLength)
    {
        string field = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
            throw new InputDataException(path, "is not an object with dtype, shape and data_offsets.", field);
        if (!value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new InputDataException(path, "has no dtype.", field);
        if (!SafetensorsDTypes.TryParse(dtypeEl.GetString()!, out var dtype))
            throw new InputDataException(path, $"has unknown dtype '{dtypeEl.GetString()}'; supported: {string.Join(", ", Enum.GetNames<SafetensorsDType>())}.", field);
        if (!value.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array)
            throw new InputDataException(path, "has no shape.", field);
        var shape = new long[shapeEl.GetArrayLength()];
        int i = 0;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (!d.TryGetInt64(out var dim) || dim < 0) throw new InputDataException(path, $"has a bad shape {shapeEl.GetRawText()}.", field);
            shape[i++] = dim;
        }
        if (!value.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2
            || !offEl[0].TryGetInt64(out var begin) || !offEl[1].TryGetInt64(out var end))
            throw new InputDataException(path, "has no valid data_offsets [begin, end].", field);
        if (begin < 0 || end < begin || end > dataLength)
            throw new InputDataException(path, $"data_offsets [{begin}, {end}] fall outside the {dataLength} data bytes; the file is truncated or corrupt.", field);
        var entry = new SafetensorsEntry(name, dtype, shape, begin, end);
        long expected;
        // Checked: a shape such as [2^62, 4] wraps an unchecked product to 0 and would pass as an empty tensor.
        try { expected = checked(entry.ElementCount * dtype.ElementSize()); }
        catch (OverflowException) { throw new InputDataException(path, $"shape {shapeEl.GetRawText()} is too large.", field); }
        if (expected != entry.ByteLength)
            throw new InputDataException(path, $"shape {shapeEl.GetRawText()} of {dtype} needs {expected} bytes but data_offsets give {entry.ByteLength}.", field);
        return entry;
    }

    public bool Contains(string name) => Tensors.ContainsKey(name);

    public SafetensorsEntry Entry(string name) => Tensors.TryGetValue(name, out var e)
        ? e
        : throw new InputDataException(Path, "has no such tensor.", $"tensor '{name}'");

    /// <summary>The tensor's raw little-endian bytes, straight from the memory map (valid until disposed).</summary>
    public ReadOnlySpan<byte> RawBytes(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var e = Entry(name);
        if (e.ByteLength == 0) return [];
        if (e.ByteLength > int.MaxValue)
            throw new InputDataException(Path, "is larger than 2 GiB; split the checkpoint into shards.", $"tensor '{name}'");
        return new ReadOnlySpan<byte>(_base + _dataStart + e.Begin, (int)e.ByteLength);
    }

    /// <summary>
    /// A new tensor with the stored values, converted to <paramref name="dtype"/> and placed on
    /// <paramref name="device"/> (defaults: the stored type, the CPU).
    /// </summary>
    public Tensor Load(string name, ScalarType? dtype = null, Device? device = null)
    {
        LibTorchRuntime.EnsureLoadable();
        var e = Entry(name);
        var stored = e.DType.ToScalarType();
        var raw = torch.empty(e.Shape, stored);
        if (e.ByteLength > 0) RawBytes(name).CopyTo(raw.bytes);
        var target = dtype ?? stored;
        if (target == stored && (device is null || device.type == DeviceType.CPU)) return raw;
        using (raw) return raw.to(target, device ?? torch.CPU);
    }

    /// <summary>
    /// Copies the stored values into an existing tensor (a module parameter), converting type and device on the
    /// way; when the types match on the CPU the bytes go straight from the map into the parameter.
    /// </summary>
    /// <exception cref="InputDataException">The shape differs, or the kind does: float parameters are filled only
    /// from F16/BF16/F32/F64 tensors, integer and boolean buffers only from integer or boolean tensors (the same
    /// byte size would otherwise load integers as weights, bit for bit).</exception>
    public void CopyInto(string name, Tensor destination)
    {
        var e = Entry(name);
        bool wantsFloat = destination.is_floating_point();
        if (wantsFloat != e.DType.IsFloatingPoint())
            throw new InputDataException(Path,
                $"stores {e.DType} values but the model expects {(wantsFloat ? "floating-point weights (F16, BF16, F32 or F64)" : $"{destination.dtype} values (an integer type)")}.",
                $"tensor '{name}'", "The file was written for another model or is corrupt; re-export the component.");
        if (!e.Shape.SequenceEqual(destination.shape))
            throw new InputDataException(Path, $"has shape [{string.Join(", ", e.Shape)}] but the model expects [{string.Join(", ", destination.shape)}]; the weights do not match the component's config.json.", $"tensor '{name}'");
        using var noGrad = torch.no_grad();
        if (destination.dtype == e.DType.ToScalarType() && destination.device_type == DeviceType.CPU && destination.is_contiguous())
        {
            if (e.ByteLength > 0) RawBytes(name).CopyTo(destination.bytes);
            return;
        }
        using var source = Load(name);
        destination.copy_(source);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
        if (_deleteOnDispose) File.Delete(Path);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
