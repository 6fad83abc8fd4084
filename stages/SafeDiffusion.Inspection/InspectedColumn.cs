namespace SafeDiffusion.Inspection;

/// <param name="Type">DuckDB's name for the type (VARCHAR, BLOB, INTEGER, TIMESTAMP WITH TIME ZONE, ...).</param>
public sealed record InspectedColumn(string Name, string Type);
