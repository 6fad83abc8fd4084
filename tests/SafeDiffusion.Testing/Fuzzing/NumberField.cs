namespace SafeDiffusion.Testing.Fuzzing;

/// <summary>How a length or count is stored in a file: little-endian binary of 4 or 8 bytes, or decimal text.</summary>
public enum NumberEncoding { Binary32, Binary64, Decimal }

/// <summary>A length, count or offset of a valid file: where it is and how it is written, so a mutation can replace it.</summary>
public sealed record NumberField(int Offset, int Length, NumberEncoding Encoding)
{
    public static NumberField Binary64(int offset) => new(offset, 8, NumberEncoding.Binary64);
    public static NumberField Binary32(int offset) => new(offset, 4, NumberEncoding.Binary32);
}
