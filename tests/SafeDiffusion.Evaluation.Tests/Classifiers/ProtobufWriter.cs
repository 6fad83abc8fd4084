using System.Buffers.Binary;
using System.Text;

namespace SafeDiffusion.Evaluation.Tests.Classifiers;

/// <summary>
/// The protobuf wire format, by hand: a field is a varint key (field number &lt;&lt; 3 | wire type) followed by a varint
/// (type 0), a length-prefixed byte string or nested message (type 2), or four little-endian bytes (type 5).
/// Enough to write an ONNX ModelProto without the onnx package.
/// </summary>
internal sealed class ProtobufWriter
{
    private readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    public ProtobufWriter Varint(int field, long value)
    {
        Key(field, 0);
        WriteVarint((ulong)value);
        return this;
    }

    public ProtobufWriter Bytes(int field, byte[] bytes)
    {
        Key(field, 2);
        WriteVarint((ulong)bytes.Length);
        _buffer.Write(bytes);
        return this;
    }

    public ProtobufWriter String(int field, string text) => Bytes(field, Encoding.UTF8.GetBytes(text));

    public ProtobufWriter Message(int field, Action<ProtobufWriter> build)
    {
        var inner = new ProtobufWriter();
        build(inner);
        return Bytes(field, inner.ToArray());
    }

    public ProtobufWriter Float(int field, float value)
    {
        Key(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
        return this;
    }

    /// <summary>A packed repeated int64 field: one length-delimited run of varints.</summary>
    public ProtobufWriter PackedInt64(int field, IEnumerable<long> values)
    {
        var inner = new ProtobufWriter();
        foreach (var v in values) inner.WriteVarint((ulong)v);
        return Bytes(field, inner.ToArray());
    }

    private void Key(int field, int wireType) => WriteVarint((ulong)(field << 3 | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }
}
