using System.Buffers.Binary;

namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>
/// Reads a Parquet file's footer (Thrift compact protocol) far enough to find every integer field, and writes the
/// file back with one of them changed: how tests make a footer lie (2^40 rows, an offset past the end) without a
/// Parquet writer that would refuse to.
/// </summary>
public sealed class ParquetFooterEditor
{
    private readonly byte[] _file;
    private readonly int _footerStart;
    private readonly int _footerLength;

    /// <summary>Reads the footer, or with <paramref name="structOffset"/> another Thrift struct of the file (a page header).</summary>
    public ParquetFooterEditor(byte[] file, int? structOffset = null)
    {
        _file = file;
        _footerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        _footerStart = file.Length - 8 - _footerLength;
        var fields = new List<IntegerField>();
        int pos = structOffset ?? _footerStart;
        ReadStruct(ref pos, "", fields);
        Fields = fields;
    }

    /// <summary>The footer's length in bytes, as the file states it.</summary>
    public int FooterLength => _footerLength;

    /// <summary>An i32 or i64 field of the footer: its path of field ids ("4[0].3" is row group 0's num_rows).</summary>
    public sealed record IntegerField(string Path, int Offset, int Length, long Value);

    public IReadOnlyList<IntegerField> Fields { get; }

    /// <summary>The byte offset of the footer-length word (the 4 bytes before the final PAR1).</summary>
    public int FooterLengthOffset => _file.Length - 8;

    public IntegerField Field(string path) => Fields.Single(f => f.Path == path);

    /// <summary>
    /// The file with <paramref name="field"/> set to <paramref name="value"/>; the footer length follows a footer field's
    /// new size (a page header field's new size shifts the rest of the file instead).
    /// </summary>
    public byte[] With(IntegerField field, long value)
    {
        var encoded = Varint((ulong)((value << 1) ^ (value >> 63)));
        var result = new List<byte>(_file.Length + 10);
        result.AddRange(_file.AsSpan(0, field.Offset));
        result.AddRange(encoded);
        result.AddRange(_file.AsSpan(field.Offset + field.Length, _file.Length - 8 - field.Offset - field.Length));
        var length = new byte[4];
        bool inFooter = field.Offset >= _footerStart;
        BinaryPrimitives.WriteInt32LittleEndian(length, inFooter ? _footerLength - field.Length + encoded.Length : _footerLength);
        result.AddRange(length);
        result.AddRange("PAR1"u8.ToArray());
        return result.ToArray();
    }

    private void ReadStruct(ref int pos, string path, List<IntegerField> fields)
    {
        int last = 0;
        while (true)
        {
            byte header = _file[pos++];
            int type = header & 0x0F;
            if (type == 0) return;
            int delta = header >> 4;
            int id = delta != 0 ? last + delta : (int)ZigZag(ReadVarint(ref pos));
            last = id;
            ReadValue(ref pos, type, path.Length == 0 ? $"{id}" : $"{path}.{id}", fields);
        }
    }

    private void ReadValue(ref int pos, int type, string path, List<IntegerField> fields)
    {
        switch (type)
        {
            case 1 or 2: return;                                // booleans live in the field header
            case 3: pos++; return;
            case 4 or 5 or 6:
                int start = pos;
                long value = ZigZag(ReadVarint(ref pos));
                if (type != 4) fields.Add(new IntegerField(path, start, pos - start, value));
                return;
            case 7: pos += 8; return;
            case 8:
                int length = checked((int)ReadVarint(ref pos));
                pos += length;
                return;
            case 9 or 10:
                byte list = _file[pos++];
                int count = list >> 4 == 15 ? checked((int)ReadVarint(ref pos)) : list >> 4;
                int element = list & 0x0F;
                for (int i = 0; i < count; i++)
                {
                    if (element is 1 or 2) pos++;                // booleans in a list take a byte each
                    else ReadValue(ref pos, element, $"{path}[{i}]", fields);
                }
                return;
            case 11:
                int entries = checked((int)ReadVarint(ref pos));
                if (entries == 0) return;
                byte kinds = _file[pos++];
                for (int i = 0; i < entries; i++)
                {
                    ReadValue(ref pos, kinds >> 4, $"{path}{{k{i}}}", fields);
                    ReadValue(ref pos, kinds & 0x0F, $"{path}{{v{i}}}", fields);
                }
                return;
            case 12: ReadStruct(ref pos, path, fields); return;
            default: throw new InvalidDataException($"Thrift type {type} at footer byte {pos - _footerStart}");
        }
    }

    private ulong ReadVarint(ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = _file[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    private static long ZigZag(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);

    private static byte[] Varint(ulong n)
    {
        var bytes = new List<byte>();
        while (n >= 0x80)
        {
            bytes.Add((byte)(n | 0x80));
            n >>= 7;
        }
        bytes.Add((byte)n);
        return bytes.ToArray();
    }
}
