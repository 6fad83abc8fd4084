using System.Globalization;

namespace SafeDiffusion.Prompts.Gguf;

/// <summary>
/// One GGUF metadata value: a scalar of one of the twelve scalar types, or an array of one of them (GGUF has no
/// arrays of arrays: gguf.cpp rejects them). Arrays hold a typed .NET array (<c>uint[]</c>, <c>string[]</c>, ...).
/// </summary>
public sealed class GgufValue
{
    private GgufValue(GgufValueType type, object value, GgufValueType? elementType = null)
    {
        Type = type;
        Value = value;
        ElementType = elementType;
    }

    public GgufValueType Type { get; }

    /// <summary>The element type of an array; null for scalars.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>The boxed scalar or the typed array.</summary>
    public object Value { get; }

    public bool IsArray => Type == GgufValueType.Array;

    public int ArrayLength => Value is Array a ? a.Length : throw new InvalidOperationException($"A {Type} value is not an array.");

    public static GgufValue UInt8(byte v) => new(GgufValueType.UInt8, v);
    public static GgufValue Int8(sbyte v) => new(GgufValueType.Int8, v);
    public static GgufValue UInt16(ushort v) => new(GgufValueType.UInt16, v);
    public static GgufValue Int16(short v) => new(GgufValueType.Int16, v);
    public static GgufValue UInt32(uint v) => new(GgufValueType.UInt32, v);
    public static GgufValue Int32(int v) => new(GgufValueType.Int32, v);
    public static GgufValue Float32(float v) => new(GgufValueType.Float32, v);
    public static GgufValue Bool(bool v) => new(GgufValueType.Bool, v);
    public static GgufValue String(string v) => new(GgufValueType.String, v ?? throw new ArgumentNullException(nameof(v)));
    public static GgufValue UInt64(ulong v) => new(GgufValueType.UInt64, v);
    public static GgufValue Int64(long v) => new(GgufValueType.Int64, v);
    public static GgufValue Float64(double v) => new(GgufValueType.Float64, v);

    public static GgufValue Array(byte[] v) => new(GgufValueType.Array, v, GgufValueType.UInt8);
    public static GgufValue Array(sbyte[] v) => new(GgufValueType.Array, v, GgufValueType.Int8);
    public static GgufValue Array(ushort[] v) => new(GgufValueType.Array, v, GgufValueType.UInt16);
    public static GgufValue Array(short[] v) => new(GgufValueType.Array, v, GgufValueType.Int16);
    public static GgufValue Array(uint[] v) => new(GgufValueType.Array, v, GgufValueType.UInt32);
    public static GgufValue Array(int[] v) => new(GgufValueType.Array, v, GgufValueType.Int32);
    public static GgufValue Array(float[] v) => new(GgufValueType.Array, v, GgufValueType.Float32);
    public static GgufValue Array(bool[] v) => new(GgufValueType.Array, v, GgufValueType.Bool);
    public static GgufValue Array(string[] v)
    {
        if (v.Any(s => s is null)) throw new ArgumentException("String arrays may not hold null.", nameof(v));
        return new(GgufValueType.Array, v, GgufValueType.String);
    }
    public static GgufValue Array(ulong[] v) => new(GgufValueType.Array, v, GgufValueType.UInt64);
    public static GgufValue Array(long[] v) => new(GgufValueType.Array, v, GgufValueType.Int64);
    public static GgufValue Array(double[] v) => new(GgufValueType.Array, v, GgufValueType.Float64);

    public string AsString() => Value as string ?? throw Mismatch("a string");

    public bool AsBool() => Value is bool b ? b : throw Mismatch("a bool");

    /// <summary>Any integer scalar, widened; throws for an unsigned 64-bit value above <see cref="long.MaxValue"/>.</summary>
    public long AsInt64() => Value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        ulong v => checked((long)v),
        long v => v,
        _ => throw Mismatch("an integer"),
    };

    /// <summary>Any numeric scalar as a double.</summary>
    public double AsDouble() => Value switch
    {
        float f => f,
        double d => d,
        _ => AsInt64(),
    };

    public T[] AsArray<T>() => Value as T[] ?? throw Mismatch($"an array of {typeof(T).Name}");

    public override string ToString() => Value switch
    {
        string s => s,
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        System.Array a => $"[{ElementType} x {a.Length}]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Value.ToString() ?? "",
    };

    private InvalidOperationException Mismatch(string wanted) =>
        new($"The value is {(IsArray ? $"an array of {ElementType}" : Type.ToString())}, not {wanted}.");
}
