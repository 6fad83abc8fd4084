namespace SafeDiffusion.Datasets.Schemas;

/// <summary>The Parquet column types the pipeline's datasets use.</summary>
public enum ColumnKind
{
    /// <summary>UTF-8 string, never null.</summary>
    Utf8,
    Int32,
    Int64,
    /// <summary>64-bit float, never null.</summary>
    Float64,
    /// <summary>64-bit float where null means "not set".</summary>
    NullableFloat64,
    /// <summary>Raw bytes (PNG images), never null.</summary>
    Binary,
    /// <summary>Instant in UTC, microsecond precision.</summary>
    TimestampUtc,
}
