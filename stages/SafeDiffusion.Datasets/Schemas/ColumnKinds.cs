using Parquet.Schema;

namespace SafeDiffusion.Datasets.Schemas;

/// <summary>Names for column types in messages, and the check that a file's column has the type a schema expects.</summary>
internal static class ColumnKinds
{
    public static string Describe(ColumnKind kind) => kind switch
    {
        ColumnKind.Utf8 => "string",
        ColumnKind.Int32 => "int32",
        ColumnKind.Int64 => "int64",
        ColumnKind.Float64 => "double",
        ColumnKind.NullableFloat64 => "double (nullable)",
        ColumnKind.Binary => "binary",
        ColumnKind.TimestampUtc => "timestamp (UTC)",
        _ => kind.ToString(),
    };

    /// <summary>The kind a file's field has, or null when it is none the pipeline writes (lists, structs, decimals...).</summary>
    public static ColumnKind? Of(DataField field)
    {
        if (field.IsArray || field.MaxRepetitionLevel > 0) return null;
        var t = field.ClrType;
        if (t == typeof(ReadOnlyMemory<char>) || t == typeof(string)) return field.IsNullable ? null : ColumnKind.Utf8;
        if (t == typeof(ReadOnlyMemory<byte>) || t == typeof(byte[])) return field.IsNullable ? null : ColumnKind.Binary;
        if (t == typeof(int)) return field.IsNullable ? null : ColumnKind.Int32;
        if (t == typeof(long)) return field.IsNullable ? null : ColumnKind.Int64;
        if (t == typeof(double)) return field.IsNullable ? ColumnKind.NullableFloat64 : ColumnKind.Float64;
        if (t == typeof(DateTime) && field is DateTimeDataField { IsAdjustedToUTC: true }) return field.IsNullable ? null : ColumnKind.TimestampUtc;
        return null;
    }

    /// <summary>A file field described the way a user reads it ("int32", "string (nullable)", "list of int64").</summary>
    public static string DescribeField(DataField field)
    {
        if (Of(field) is { } kind) return Describe(kind);
        var t = field.ClrType;
        string name =
            t == typeof(ReadOnlyMemory<char>) || t == typeof(string) ? "string" :
            t == typeof(ReadOnlyMemory<byte>) || t == typeof(byte[]) ? "binary" :
            t == typeof(int) ? "int32" :
            t == typeof(long) ? "int64" :
            t == typeof(double) ? "double" :
            t == typeof(float) ? "float" :
            t == typeof(bool) ? "boolean" :
            t == typeof(DateTime) ? (field is DateTimeDataField { IsAdjustedToUTC: true } ? "timestamp (UTC)" : "timestamp") :
            t.Name.ToLowerInvariant();
        if (field.IsArray || field.MaxRepetitionLevel > 0) return $"list of {name}";
        return field.IsNullable ? $"{name} (nullable)" : name;
    }
}
