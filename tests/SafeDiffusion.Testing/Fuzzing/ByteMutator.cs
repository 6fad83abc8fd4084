using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>
/// The mutations fuzz tests make of a valid file. An instance yields a seeded sequence of cases, in turn: bit flips, a truncation, one length field set to a hostile value
/// (0, -1, 2^31 or 2^63), and a hostile length field together with a bit flip. The same seed gives the same cases,
/// so a failing case can be reproduced from its index. The static helpers make single mutations, for tests that
/// aim them at a format's own structures (a Parquet footer, a PNG chunk).
/// </summary>
public sealed class ByteMutator(byte[] original, IReadOnlyList<NumberField> lengthFields, int seed)
{
    /// <summary>The hostile values every length field is tried with.</summary>
    public static readonly IReadOnlyList<(string Name, long Value)> HostileValues =
    [
        ("0", 0), ("-1", -1), ("2^31", 1L << 31), ("2^63", long.MinValue),
    ];

    public IEnumerable<FuzzCase> Cases(int count)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var bytes = (byte[])original.Clone();
            string what;
            switch (lengthFields.Count == 0 ? i % 2 : i % 4)
            {
                case 0:
                    what = FlipRandomBits(bytes, random);
                    break;
                case 1:
                    int keep = random.Next(original.Length);
                    bytes = bytes[..keep];
                    what = $"truncated to {keep} of {original.Length} bytes";
                    break;
                case 2:
                    (bytes, what) = SetLength(bytes, random);
                    break;
                default:
                    (bytes, what) = SetLength(bytes, random);
                    what += "; " + FlipRandomBits(bytes, random);
                    break;
            }
            yield return new FuzzCase(i, what, bytes);
        }
    }

    private static string FlipRandomBits(byte[] bytes, Random random)
    {
        if (bytes.Length == 0) return "no bits to flip";
        int flips = 1 + random.Next(8);
        var at = new List<string>();
        for (int f = 0; f < flips; f++)
        {
            int bit = random.Next(bytes.Length * 8);
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            at.Add(bit.ToString(CultureInfo.InvariantCulture));
        }
        return $"flipped bits {string.Join(",", at)}";
    }

    private (byte[] Bytes, string What) SetLength(byte[] bytes, Random random)
    {
        var field = lengthFields[random.Next(lengthFields.Count)];
        var (name, value) = HostileValues[random.Next(HostileValues.Count)];
        var what = $"{field.Encoding} field at {field.Offset} set to {name}";
        switch (field.Encoding)
        {
            case NumberEncoding.Binary64:
                BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(field.Offset, 8), value);
                return (bytes, what);
            case NumberEncoding.Binary32:
                // 2^63 has no 32-bit form; its low half is 0, so the 32-bit field gets the largest unsigned value instead.
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(field.Offset, 4), value == long.MinValue ? uint.MaxValue : unchecked((uint)value));
                return (bytes, what);
            default:
                var text = value == long.MinValue ? "9223372036854775808" : value.ToString(CultureInfo.InvariantCulture);
                return ([.. bytes.AsSpan(0, field.Offset), .. Encoding.ASCII.GetBytes(text), .. bytes.AsSpan(field.Offset + field.Length)], what);
        }
    }

    /// <summary>
    /// A copy with <paramref name="bits"/> random bits flipped at random bytes from <paramref name="from"/> to
    /// <paramref name="to"/> (exclusive; -1 for the end).
    /// </summary>
    public static byte[] FlipBits(byte[] data, Random random, int bits, int from = 0, int to = -1)
    {
        if (to < 0) to = data.Length;
        var copy = (byte[])data.Clone();
        for (int i = 0; i < bits; i++) copy[random.Next(from, to)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    /// <summary>A copy of the first <paramref name="length"/> bytes.</summary>
    public static byte[] Truncate(byte[] data, int length) => data[..length];

    /// <summary>A copy with the 4 bytes at <paramref name="offset"/> set to the low 32 bits of <paramref name="value"/>.</summary>
    public static byte[] WithUInt32(byte[] data, int offset, long value, bool bigEndian)
    {
        var copy = (byte[])data.Clone();
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset, 4), unchecked((uint)value));
        else BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset, 4), unchecked((uint)value));
        return copy;
    }

    /// <summary>Every run of decimal digits in <paramref name="bytes"/> from <paramref name="start"/> to <paramref name="end"/>, as text number fields.</summary>
    public static IReadOnlyList<NumberField> DecimalNumbers(byte[] bytes, int start = 0, int end = -1)
    {
        if (end < 0) end = bytes.Length;
        var fields = new List<NumberField>();
        for (int i = start; i < end; i++)
        {
            if (bytes[i] is < (byte)'0' or > (byte)'9') continue;
            int j = i;
            while (j < end && bytes[j] is >= (byte)'0' and <= (byte)'9') j++;
            fields.Add(new NumberField(i, j - i, NumberEncoding.Decimal));
            i = j;
        }
        return fields;
    }
}
