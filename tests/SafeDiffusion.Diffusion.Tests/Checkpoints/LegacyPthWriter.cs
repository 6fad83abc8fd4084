using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Checkpoints;

/// <summary>
/// Writes a state dict the way PyTorch before 1.6 did (torch/serialization.py, _legacy_save, pickle protocol 2), byte
/// by byte: the magic number, protocol version and system-info pickles; the OrderedDict pickle whose tensors are
/// <c>torch._utils._rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())</c> with a
/// <c>_metadata</c> state set by BUILD; the storage key list; then each storage as an int64 element count and its
/// little-endian bytes. Memo PUT/GET is used for the rebuild function, as pickle does for repeated globals.
/// </summary>
internal static class LegacyPthWriter
{
    /// <summary>A tensor that views <paramref name="Storage"/> (a flat tensor) at an offset with a size and stride.</summary>
    public sealed record Entry(string Name, string StorageKey, Tensor Storage, long Offset, long[] Size, long[] Stride);

    public static void Write(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        var entries = stateDict.Select((kv, i) =>
        {
            var flat = kv.Value.detach().cpu().contiguous().reshape(-1);
            var stride = new long[kv.Value.dim()];
            long s = 1;
            for (int d = stride.Length - 1; d >= 0; d--)
            {
                stride[d] = s;
                s *= kv.Value.shape[d];
            }
            return new Entry(kv.Key, (940000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), flat, 0, kv.Value.shape, stride);
        }).ToList();
        Write(path, entries);
    }

    public static void Write(string path, IReadOnlyList<Entry> entries)
    {
        using var file = File.Create(path);
        var p = new Pickle(file);
        // Magic number 0x1950a86a20f9469cfc6c as LONG1 (10 bytes, little-endian).
        p.Proto().Op(0x8a).Byte(10).Raw(new BigInteger(0x1950a86a20f9469cUL) * 65536 + 0xfc6c).Stop();
        p.Proto().Int(1001).Stop();
        p.Proto().Op('}').Op('(')
            .Str("protocol_version").Int(1001)
            .Str("little_endian").Op(0x88)
            .Str("type_sizes").Op('}').Op('(').Str("short").Int(2).Str("int").Int(4).Str("long").Int(4).Op('u')
            .Op('u').Stop();

        p.Proto().Global("collections", "OrderedDict").Put(0).Op(')').Op('R').Put(1).Op('(');
        bool rebuildMemoised = false;
        foreach (var e in entries)
        {
            p.Str(e.Name);
            if (rebuildMemoised) p.Get(2);
            else
            {
                p.Global("torch._utils", "_rebuild_tensor_v2").Put(2);
                rebuildMemoised = true;
            }
            p.Op('(')
                .Op('(').Str("storage").Global("torch", StorageName(e.Storage.dtype)).Str(e.StorageKey).Str("cpu").Int(e.Storage.NumberOfElements).Op('N').Op('t').Op('Q')
                .Int(e.Offset)
                .Op('(');
            foreach (var d in e.Size) p.Int(d);
            p.Op('t').Op('(');
            foreach (var d in e.Stride) p.Int(d);
            p.Op('t').Op(0x89).Global("collections", "OrderedDict").Op(')').Op('R').Op('t').Op('R');
        }
        p.Op('u');
        // state: {"_metadata": OrderedDict()}, applied by BUILD after the items, as save_reduce orders it.
        p.Op('}').Op('(').Str("_metadata").Get(0).Op(')').Op('R').Op('u').Op('b').Stop();

        var keys = entries.Select(e => e.StorageKey).Distinct().ToList();
        p.Proto().Op(']').Op('(');
        foreach (var k in keys) p.Str(k);
        p.Op('e').Stop();

        Span<byte> count = stackalloc byte[8];
        foreach (var key in keys)
        {
            var storage = entries.First(e => e.StorageKey == key).Storage.contiguous();
            BinaryPrimitives.WriteInt64LittleEndian(count, storage.NumberOfElements);
            file.Write(count);
            file.Write(storage.bytes);
        }
    }

    private static string StorageName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "FloatStorage",
        ScalarType.Float64 => "DoubleStorage",
        ScalarType.Float16 => "HalfStorage",
        ScalarType.Int64 => "LongStorage",
        ScalarType.Int32 => "IntStorage",
        ScalarType.Byte => "ByteStorage",
        _ => throw new NotSupportedException(dtype.ToString()),
    };

    /// <summary>Pickle opcodes written straight to the stream.</summary>
    private sealed class Pickle(Stream s)
    {
        public Pickle Op(int opcode) { s.WriteByte((byte)opcode); return this; }
        public Pickle Byte(int value) { s.WriteByte((byte)value); return this; }
        public Pickle Proto() => Op(0x80).Byte(2);
        public Pickle Stop() => Op('.');

        public Pickle Raw(BigInteger value)
        {
            var bytes = value.ToByteArray(isUnsigned: false, isBigEndian: false);
            s.Write(bytes);
            return this;
        }

        public Pickle Int(long value)
        {
            Span<byte> b = stackalloc byte[4];
            if (value is >= 0 and < 256) return Op('K').Byte((int)value);
            if (value is >= 0 and < 65536)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
                Op('M');
                s.Write(b[..2]);
                return this;
            }
            BinaryPrimitives.WriteInt32LittleEndian(b, checked((int)value));
            Op('J');
            s.Write(b);
            return this;
        }

        public Pickle Str(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)bytes.Length);
            Op('X');
            s.Write(len);
            s.Write(bytes);
            return this;
        }

        public Pickle Global(string module, string name)
        {
            Op('c');
            s.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
            return this;
        }

        public Pickle Put(int index) => Op('q').Byte(index);
        public Pickle Get(int index) => Op('h').Byte(index);
    }
}
