namespace SafeDiffusion.Datasets.Schemas;

/// <summary>The key-value metadata every dataset file carries, so a reader can tell what a file holds.</summary>
public static class SchemaMetadata
{
    /// <summary>Which artifact the file holds (<c>prompts</c>, <c>images</c>).</summary>
    public const string NameKey = "safediffusion.schema";

    /// <summary>The schema version, a decimal integer.</summary>
    public const string VersionKey = "safediffusion.schema_version";

    /// <summary>The column that holds each row's stable id.</summary>
    public const string IdColumnKey = "safediffusion.id_column";

    public static IReadOnlyDictionary<string, string> For<TRow>(IRowSchema<TRow> schema) => new Dictionary<string, string>
    {
        [NameKey] = schema.Name,
        [VersionKey] = schema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [IdColumnKey] = schema.IdColumn,
    };
}
