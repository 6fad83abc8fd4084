using System.Buffers.Binary;
using System.Text;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Prompts.Gguf;

/// <summary>
/// Reads a GGUF header (metadata and tensor infos) in managed code with the same checks gguf.cpp makes, so a bad
/// file fails with an <see cref="InputDataException"/> naming the file and the problem instead of reaching
/// llama.cpp. Every length is checked against the bytes left in the file before anything is allocated.
/// </summary>
public static class GgufReader
{
    private const string Fix = "Re-download or re-convert the model (llama.cpp's convert_hf_to_gguf.py writes GGUF v3).";

    public static GgufFile Read(string path)
    {
        if (Directory.Exists(path))
            throw new InputDataException(path, "is a folder, not a GGUF file.", fix: "Point the model path at the .gguf file inside it.");
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.", fix: "Check the model path under `models:` in the config.");

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var cursor = new Cursor(stream, path);

        Span<byte> magic = stackalloc byte[4];
        cursor.ReadExactly(magic, "the magic number");
        if (!magic.SequenceEqual(GgufFormat.Magic))
            throw new InputDataException(path, $"is not a GGUF file: it starts with {Describe(magic)} instead of 'GGUF'.",
                "magic", "Use a .gguf model file (safetensors or PyTorch checkpoints must be converted first).");

        var version = cursor.ReadUInt32("the version");
        if (version < GgufFormat.OldestReadableVersion || version > GgufFormat.CurrentVersion)
            throw new InputDataException(path,
                $"is GGUF version {version}; versions {GgufFormat.OldestReadableVersion} to {GgufFormat.CurrentVersion} are supported.",
                "version", version < GgufFormat.OldestReadableVersion ? Fix : "Use a llama.cpp build that reads this version, or re-convert the model.");

        var tensorCount = cursor.ReadInt64("the tensor count");
        var kvCount = cursor.ReadInt64("the metadata count");
        // Each entry takes at least 8 bytes of key length; a count the file cannot hold is corruption.
        if (tensorCount < 0 || tensorCount > cursor.Remaining / 8)
            throw new InputDataException(path, $"claims {tensorCount} tensors, more than the file can hold.", "tensor_count", Fix);
        if (kvCount < 0 || kvCount > cursor.Remaining / 8)
            throw new InputDataException(path, $"claims {kvCount} metadata entries, more than the file can hold.", "kv_count", Fix);

        var entries = new List<KeyValuePair<string, GgufValue>>((int)kvCount);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < kvCount; i++)
        {
            var key = cursor.ReadString($"metadata key {i}");
            if (!keys.Add(key)) throw new InputDataException(path, $"lists metadata key '{key}' twice.", key, Fix);
            var type = (GgufValueType)cursor.ReadUInt32($"the type of '{key}'");
            GgufValue value;
            if (type == GgufValueType.Array)
            {
                var elementType = (GgufValueType)cursor.ReadUInt32($"the element type of '{key}'");
                var length = cursor.ReadUInt64($"the length of '{key}'");
                value = ReadArray(cursor, key, elementType, length);
            }
            else value = ReadScalar(cursor, key, type);
            entries.Add(new(key, value));
        }

        uint alignment = GgufFormat.DefaultAlignment;
        var alignmentEntry = entries.FirstOrDefault(e => e.Key == GgufFormat.AlignmentKey).Value;
        if (alignmentEntry is not null)
        {
            if (alignmentEntry.Type != GgufValueType.UInt32)
                throw new InputDataException(path, $"stores {GgufFormat.AlignmentKey} as {alignmentEntry.Type}; it must be a uint32.", GgufFormat.AlignmentKey, Fix);
            alignment = (uint)alignmentEntry.Value;
            if (alignment == 0 || (alignment & (alignment - 1)) != 0)
                throw new InputDataException(path, $"has alignment {alignment}, which is not a power of two.", GgufFormat.AlignmentKey, Fix);
        }

        var tensors = new List<GgufTensorInfo>((int)tensorCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            var name = cursor.ReadString($"tensor name {i}");
            if (Encoding.UTF8.GetByteCount(name) >= GgufFormat.MaxTensorNameBytes)
                throw new InputDataException(path, $"has tensor name '{name}' longer than ggml allows ({GgufFormat.MaxTensorNameBytes - 1} bytes).", name, Fix);
            if (!names.Add(name)) throw new InputDataException(path, $"lists tensor '{name}' twice.", name, Fix);
            var nDims = cursor.ReadUInt32($"the rank of tensor '{name}'");
            if (nDims > GgufFormat.MaxDimensions)
                throw new InputDataException(path, $"gives tensor '{name}' {nDims} dimensions; ggml supports at most {GgufFormat.MaxDimensions}.", name, Fix);
            var dims = new long[nDims];
            for (int d = 0; d < nDims; d++)
            {
                dims[d] = cursor.ReadInt64($"dimension {d} of tensor '{name}'");
                if (dims[d] < 0) throw new InputDataException(path, $"gives tensor '{name}' a negative dimension ({dims[d]}).", name, Fix);
            }
            var type = (GgmlType)cursor.ReadUInt32($"the type of tensor '{name}'");
            var offset = cursor.ReadUInt64($"the data offset of tensor '{name}'");
            if (GgmlTypeTraits.IsKnown(type) && nDims > 0 && dims[0] % GgmlTypeTraits.BlockSize(type) != 0)
                throw new InputDataException(path, $"tensor '{name}' of type {type} has rows of {dims[0]} elements, not a multiple of the block size {GgmlTypeTraits.BlockSize(type)}.", name, Fix);
            if (offset % alignment != 0)
                throw new InputDataException(path, $"tensor '{name}' starts at data offset {offset}, which is not a multiple of the alignment {alignment}.", name, Fix);
            tensors.Add(new GgufTensorInfo(name, dims, type, offset));
        }

        var dataOffset = GgufFormat.Pad(cursor.Position, alignment);
        var file = new GgufFile(path, version, entries, tensors, alignment, dataOffset, stream.Length);
        CheckTensorExtents(file);
        return file;
    }

    private static void CheckTensorExtents(GgufFile file)
    {
        foreach (var t in file.Tensors)
        {
            long elements;
            try { elements = t.ElementCount; }
            catch (OverflowException)
            {
                throw new InputDataException(file.Path, $"tensor '{t.Name}' has more elements than fit in 64 bits.", t.Name, Fix);
            }
            if (GgmlTypeTraits.ByteCount(t.Type, elements) is not { } bytes) continue;
            var end = (decimal)file.DataOffset + t.Offset + bytes;
            if (end > file.FileLength)
                throw new InputDataException(file.Path,
                    $"is truncated: tensor '{t.Name}' needs bytes up to {end} but the file has {file.FileLength}.",
                    t.Name, "The download is probably incomplete; download the model again.");
        }
    }

    private static GgufValue ReadScalar(Cursor c, string key, GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => GgufValue.UInt8(c.ReadByte(key)),
        GgufValueType.Int8 => GgufValue.Int8(unchecked((sbyte)c.ReadByte(key))),
        GgufValueType.UInt16 => GgufValue.UInt16(BinaryPrimitives.ReadUInt16LittleEndian(c.Read(2, key))),
        GgufValueType.Int16 => GgufValue.Int16(BinaryPrimitives.ReadInt16LittleEndian(c.Read(2, key))),
        GgufValueType.UInt32 => GgufValue.UInt32(c.ReadUInt32(key)),
        GgufValueType.Int32 => GgufValue.Int32(BinaryPrimitives.ReadInt32LittleEndian(c.Read(4, key))),
        GgufValueType.Float32 => GgufValue.Float32(BinaryPrimitives.ReadSingleLittleEndian(c.Read(4, key))),
        GgufValueType.Bool => GgufValue.Bool(ReadBool(c, key)),
        GgufValueType.String => GgufValue.String(c.ReadString(key)),
        GgufValueType.UInt64 => GgufValue.UInt64(c.ReadUInt64(key)),
        GgufValueType.Int64 => GgufValue.Int64(c.ReadInt64(key)),
        GgufValueType.Float64 => GgufValue.Float64(BinaryPrimitives.ReadDoubleLittleEndian(c.Read(8, key))),
        _ => throw new InputDataException(c.Path, $"metadata '{key}' has unknown value type {(uint)type}.", key, Fix),
    };

    private static bool ReadBool(Cursor c, string key)
    {
        var b = c.ReadByte(key);
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw new InputDataException(c.Path, $"metadata '{key}' is a bool stored as {b}; only 0 and 1 are valid.", key, Fix),
        };
    }

    private static GgufValue ReadArray(Cursor c, string key, GgufValueType elementType, ulong length)
    {
        var minBytes = elementType switch
        {
            GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
            GgufValueType.UInt16 or GgufValueType.Int16 => 2,
            GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
            GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
            _ => throw new InputDataException(c.Path, $"metadata '{key}' is an array of unsupported type {(uint)elementType}.", key, Fix),
        };
        if (length > (ulong)(c.Remaining / minBytes))
            throw new InputDataException(c.Path, $"is truncated: array '{key}' claims {length} elements, more than the {c.Remaining} bytes left can hold.",
                key, "The download is probably incomplete; download the model again.");
        int n = (int)length;
        switch (elementType)
        {
            case GgufValueType.String:
            {
                var items = new string[n];
                for (int i = 0; i < n; i++) items[i] = c.ReadString(key);
                return GgufValue.Array(items);
            }
            case GgufValueType.Bool:
            {
                var items = new bool[n];
                for (int i = 0; i < n; i++) items[i] = ReadBool(c, key);
                return GgufValue.Array(items);
            }
        }
        var bytes = c.Read(checked(n * minBytes), key);
        return elementType switch
        {
            GgufValueType.UInt8 => GgufValue.Array(bytes.ToArray()),
            GgufValueType.Int8 => GgufValue.Array(Decode<sbyte>(bytes, 1, (s) => unchecked((sbyte)s[0]))),
            GgufValueType.UInt16 => GgufValue.Array(Decode(bytes, 2, BinaryPrimitives.ReadUInt16LittleEndian)),
            GgufValueType.Int16 => GgufValue.Array(Decode(bytes, 2, BinaryPrimitives.ReadInt16LittleEndian)),
            GgufValueType.UInt32 => GgufValue.Array(Decode(bytes, 4, BinaryPrimitives.ReadUInt32LittleEndian)),
            GgufValueType.Int32 => GgufValue.Array(Decode(bytes, 4, BinaryPrimitives.ReadInt32LittleEndian)),
            GgufValueType.Float32 => GgufValue.Array(Decode(bytes, 4, BinaryPrimitives.ReadSingleLittleEndian)),
            GgufValueType.UInt64 => GgufValue.Array(Decode(bytes, 8, BinaryPrimitives.ReadUInt64LittleEndian)),
            GgufValueType.Int64 => GgufValue.Array(Decode(bytes, 8, BinaryPrimitives.ReadInt64LittleEndian)),
            GgufValueType.Float64 => GgufValue.Array(Decode(bytes, 8, BinaryPrimitives.ReadDoubleLittleEndian)),
            _ => throw new InvalidOperationException(),
        };
    }

    private delegate T SpanDecoder<out T>(ReadOnlySpan<byte> bytes);

    private static T[] Decode<T>(ReadOnlySpan<byte> bytes, int size, SpanDecoder<T> decode)
    {
        var result = new T[bytes.Length / size];
        for (int i = 0; i < result.Length; i++) result[i] = decode(bytes.Slice(i * size, size));
        return result;
    }

    private static string Describe(ReadOnlySpan<byte> magic)
    {
        var printable = magic.ToArray().All(b => b is >= 0x20 and < 0x7F);
        return printable ? $"'{Encoding.ASCII.GetString(magic)}'" : "bytes " + Convert.ToHexString(magic);
    }

    /// <summary>Sequential reads that turn running out of bytes into a "truncated" error naming what was being read.</summary>
    private sealed class Cursor(Stream stream, string path)
    {
        private byte[] _buffer = new byte[256];

        public string Path => path;
        public long Position { get; private set; }
        public long Remaining => stream.Length - Position;

        public void ReadExactly(Span<byte> into, string what)
        {
            if (Remaining < into.Length) throw Truncated(what);
            stream.ReadExactly(into);
            Position += into.Length;
        }

        public ReadOnlySpan<byte> Read(int count, string what)
        {
            if (_buffer.Length < count) _buffer = new byte[Math.Max(count, _buffer.Length * 2)];
            ReadExactly(_buffer.AsSpan(0, count), what);
            return _buffer.AsSpan(0, count);
        }

        public byte ReadByte(string what) => Read(1, what)[0];
        public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Read(4, what));
        public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Read(8, what));
        public long ReadInt64(string what) => BinaryPrimitives.ReadInt64LittleEndian(Read(8, what));

        public string ReadString(string what)
        {
            var length = ReadUInt64(what);
            if (length > (ulong)Remaining) throw Truncated(what);
            if (length > int.MaxValue) throw new InputDataException(path, $"{what} claims a string of {length} bytes.", fix: Fix);
            // Lenient decoding: llama.cpp does not validate UTF-8 either, so a file it loads must load here too.
            return Encoding.UTF8.GetString(Read((int)length, what));
        }

        private InputDataException Truncated(string what) => new(path,
            $"is truncated: it ends at byte {stream.Length} while reading {what}.", fix: "The download is probably incomplete; download the model again.");
    }
}
