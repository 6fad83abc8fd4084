namespace SafeDiffusion.Inspection;

/// <summary>How many rows hold <paramref name="Value"/> (as text; "null" for nulls).</summary>
public sealed record ValueCount(string Value, long Count);
