using System.Buffers.Binary;
using System.Text;
using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Prompts.Gguf;

/// <summary>
/// Writes GGUF v3 files: header, metadata key/values of every GGUF type (arrays included), tensor infos, and
/// F32 or F16 tensor data, each tensor aligned to <see cref="Alignment"/> (written as <c>general.alignment</c>
/// when it is not the default 32). Files are written atomically.
/// </summary>
/// <remarks>
/// Tensors are given as float data in row-major order with a row-major shape (PyTorch's <c>tensor.shape</c>);
/// GGUF stores the dimensions reversed (<c>ne[0]</c> is the last, contiguous dimension), which the writer does.
/// No TorchSharp dependency: pass <c>tensor.data&lt;float&gt;().ToArray()</c> and <c>tensor.shape</c>.
/// See <see cref="LlamaGgufLayout"/> for the names and shapes llama.cpp expects of a llama model.
/// </remarks>
public sealed class GgufWriter
{
    private readonly List<(string Key, GgufValue Value)> _metadata = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<(GgufTensorInfo Info, byte[] Data)> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);
    private ulong _dataSize;

    public GgufWriter(uint alignment = GgufFormat.DefaultAlignment)
    {
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "GGUF alignment must be a power of two.");
        Alignment = alignment;
        if (alignment != GgufFormat.DefaultAlignment) AddMetadataCore(GgufFormat.AlignmentKey, GgufValue.UInt32(alignment));
    }

    public uint Alignment { get; }

    public IReadOnlyList<GgufTensorInfo> Tensors => _tensors.Select(t => t.Info).ToList();

    /// <summary>Adds a metadata key/value; keys are unique and keep the order they were added in.</summary>
    public GgufWriter Add(string key, GgufValue value)
    {
        if (key == GgufFormat.AlignmentKey)
            throw new ArgumentException($"Set the alignment through the constructor; the writer writes '{GgufFormat.AlignmentKey}' itself.", nameof(key));
        AddMetadataCore(key, value);
        return this;
    }

    public GgufWriter Add(string key, string value) => Add(key, GgufValue.String(value));
    public GgufWriter Add(string key, uint value) => Add(key, GgufValue.UInt32(value));
    public GgufWriter Add(string key, float value) => Add(key, GgufValue.Float32(value));
    public GgufWriter Add(string key, bool value) => Add(key, GgufValue.Bool(value));

    /// <summary>
    /// Adds a tensor from row-major float data. <paramref name="shape"/> is the row-major shape (outermost first);
    /// the file records it reversed. <paramref name="type"/> is <see cref="GgmlType.F32"/> or <see cref="GgmlType.F16"/>.
    /// </summary>
    public GgufWriter AddTensor(string name, ReadOnlySpan<float> data, ReadOnlySpan<long> shape, GgmlType type = GgmlType.F32)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Encoding.UTF8.GetByteCount(name) >= GgufFormat.MaxTensorNameBytes)
            throw new ArgumentException($"Tensor name '{name}' is {Encoding.UTF8.GetByteCount(name)} bytes; ggml allows at most {GgufFormat.MaxTensorNameBytes - 1}.", nameof(name));
        if (shape.Length is 0 or > GgufFormat.MaxDimensions)
            throw new ArgumentException($"Tensor '{name}' has {shape.Length} dimensions; ggml supports 1 to {GgufFormat.MaxDimensions}.", nameof(shape));
        long count = 1;
        foreach (var d in shape)
        {
            if (d <= 0) throw new ArgumentException($"Tensor '{name}' has a non-positive dimension in shape [{string.Join(", ", shape.ToArray())}].", nameof(shape));
            count = checked(count * d);
        }
        if (count != data.Length)
            throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape.ToArray())}] holds {count} elements but {data.Length} were given.", nameof(data));
        if (!_tensorNames.Add(name)) throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));

        var bytes = type switch
        {
            GgmlType.F32 => EncodeF32(data),
            GgmlType.F16 => EncodeF16(data),
            _ => throw new ArgumentException($"The writer stores F32 or F16 tensors, not {type}.", nameof(type)),
        };
        var dims = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++) dims[i] = shape[shape.Length - 1 - i];
        var info = new GgufTensorInfo(name, dims, type, _dataSize);
        _tensors.Add((info, bytes));
        _dataSize += (ulong)GgufFormat.Pad(bytes.Length, Alignment);
        return this;
    }

    /// <summary>Writes the file atomically: readers see the old file or the whole new one.</summary>
    public void Write(string path) => AtomicFile.Write(path, WriteTo);

    public void WriteTo(Stream stream)
    {
        var output = new CountingStream(stream);
        Span<byte> buffer = stackalloc byte[8];

        output.Write(GgufFormat.Magic);
        WriteUInt32(output, GgufFormat.CurrentVersion, buffer);
        WriteInt64(output, _tensors.Count, buffer);
        WriteInt64(output, _metadata.Count, buffer);

        foreach (var (key, value) in _metadata)
        {
            WriteString(output, key, buffer);
            WriteUInt32(output, (uint)value.Type, buffer);
            if (value.IsArray)
            {
                WriteUInt32(output, (uint)value.ElementType!.Value, buffer);
                var array = (Array)value.Value;
                WriteUInt64(output, (ulong)array.Length, buffer);
                foreach (var item in array) WriteScalar(output, value.ElementType.Value, item, buffer);
            }
            else WriteScalar(output, value.Type, value.Value, buffer);
        }

        foreach (var (info, _) in _tensors)
        {
            WriteString(output, info.Name, buffer);
            WriteUInt32(output, (uint)info.Dimensions.Count, buffer);
            foreach (var d in info.Dimensions) WriteInt64(output, d, buffer);
            WriteUInt32(output, (uint)info.Type, buffer);
            WriteUInt64(output, info.Offset, buffer);
        }

        WritePadding(output);
        foreach (var (_, data) in _tensors)
        {
            output.Write(data);
            WritePadding(output);
        }
    }

    private void AddMetadataCore(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!_keys.Add(key)) throw new ArgumentException($"Metadata key '{key}' was already added; GGUF keys are unique.", nameof(key));
        _metadata.Add((key, value));
    }

    private void WritePadding(CountingStream output)
    {
        var padding = GgufFormat.Pad(output.Position, Alignment) - output.Position;
        if (padding > 0) output.Write(new byte[padding]);
    }

    private static byte[] EncodeF32(ReadOnlySpan<float> data)
    {
        var bytes = new byte[data.Length * 4];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
        return bytes;
    }

    private static byte[] EncodeF16(ReadOnlySpan<float> data)
    {
        var bytes = new byte[data.Length * 2];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)data[i]);
        return bytes;
    }

    private static void WriteScalar(Stream s, GgufValueType type, object value, Span<byte> buffer)
    {
        switch (type)
        {
            case GgufValueType.UInt8: s.WriteByte((byte)value); break;
            case GgufValueType.Int8: s.WriteByte(unchecked((byte)(sbyte)value)); break;
            case GgufValueType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)value); s.Write(buffer[..2]); break;
            case GgufValueType.Int16: BinaryPrimitives.WriteInt16LittleEndian(buffer, (short)value); s.Write(buffer[..2]); break;
            case GgufValueType.UInt32: WriteUInt32(s, (uint)value, buffer); break;
            case GgufValueType.Int32: BinaryPrimitives.WriteInt32LittleEndian(buffer, (int)value); s.Write(buffer[..4]); break;
            case GgufValueType.Float32: BinaryPrimitives.WriteSingleLittleEndian(buffer, (float)value); s.Write(buffer[..4]); break;
            case GgufValueType.Bool: s.WriteByte((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString(s, (string)value, buffer); break;
            case GgufValueType.UInt64: WriteUInt64(s, (ulong)value, buffer); break;
            case GgufValueType.Int64: WriteInt64(s, (long)value, buffer); break;
            case GgufValueType.Float64: BinaryPrimitives.WriteDoubleLittleEndian(buffer, (double)value); s.Write(buffer[..8]); break;
            default: throw new InvalidOperationException($"{type} is not a scalar GGUF type.");
        }
    }

    private static void WriteString(Stream s, string value, Span<byte> buffer)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt64(s, (ulong)bytes.Length, buffer);
        s.Write(bytes);
    }

    private static void WriteUInt32(Stream s, uint v, Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, v);
        s.Write(buffer[..4]);
    }

    private static void WriteUInt64(Stream s, ulong v, Span<byte> buffer)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, v);
        s.Write(buffer[..8]);
    }

    private static void WriteInt64(Stream s, long v, Span<byte> buffer)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer, v);
        s.Write(buffer[..8]);
    }

    /// <summary>Tracks the bytes written so padding works on streams that cannot seek.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Position;
        public override long Position { get; set; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            Position += buffer.Length;
        }

        public override void WriteByte(byte value)
        {
            inner.WriteByte(value);
            Position++;
        }
    }
}
