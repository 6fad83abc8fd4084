using System.Globalization;
using Parquet;
using Parquet.Schema;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Datasets.Parts;

/// <summary>
/// Checks that an open file holds what a row schema expects: the schema name and version in its metadata and the
/// same columns with the same types. Returns the file's fields by column name for reading.
/// </summary>
internal static class SchemaCheck
{
    public static IReadOnlyDictionary<string, DataField> Validate<TRow>(IRowSchema<TRow> schema, ParquetReader reader, string file)
    {
        var expected = $"a '{schema.Name}' dataset (schema version {schema.Version})";
        var inspectHint = $"To look at it anyway, run `pipeline inspect {file}`.";
        var meta = reader.CustomMetadata;
        if (!meta.TryGetValue(SchemaMetadata.NameKey, out var name))
            throw new InputDataException(file,
                $"is a Parquet file but not one this pipeline wrote: it has no '{SchemaMetadata.NameKey}' metadata, so it is not {expected}.",
                fix: $"Point the command at the {schema.Name} folder of a run. {inspectHint}");
        if (name != schema.Name)
            throw new InputDataException(file, $"holds a '{name}' dataset, expected {expected}.",
                fix: $"Point the command at the {schema.Name} folder of a run, not the {name} folder.");
        meta.TryGetValue(SchemaMetadata.VersionKey, out var versionText);
        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            throw new InputDataException(file, $"has no readable schema version ('{SchemaMetadata.VersionKey}' is '{versionText}').",
                SchemaMetadata.VersionKey, $"Regenerate it with this version of the pipeline. {inspectHint}");
        if (version != schema.Version)
            throw new InputDataException(file,
                $"holds '{name}' schema version {version}, this build reads version {schema.Version}.",
                SchemaMetadata.VersionKey,
                version > schema.Version
                    ? "It was written by a newer pipeline: update this one to read it."
                    : "It was written by an older pipeline: rerun the stage to regenerate it in the current schema.");

        var fields = new Dictionary<string, DataField>(StringComparer.Ordinal);
        foreach (var field in reader.Schema.Fields)
        {
            if (field is not DataField data)
                throw new InputDataException(file, $"has a nested column '{field.Name}', which {expected} does not have.", field.Name,
                    "Regenerate it with the pipeline.");
            fields[data.Name] = data;
        }
        foreach (var column in schema.Columns)
        {
            if (!fields.TryGetValue(column.Name, out var field))
                throw new InputDataException(file, $"has no column '{column.Name}' ({ColumnKinds.Describe(column.Kind)}), which {expected} has.",
                    column.Name, "Regenerate it with the pipeline.");
            if (ColumnKinds.Of(field) != column.Kind)
                throw new InputDataException(file,
                    $"has column '{column.Name}' as {ColumnKinds.DescribeField(field)}, expected {ColumnKinds.Describe(column.Kind)}.",
                    column.Name, "Regenerate it with the pipeline.");
        }
        var extra = fields.Keys.Except(schema.Columns.Select(c => c.Name)).ToList();
        if (extra.Count > 0)
            throw new InputDataException(file,
                $"has column{(extra.Count > 1 ? "s" : "")} {string.Join(", ", extra.Select(e => $"'{e}'"))} that {expected} does not have.",
                extra[0], "Regenerate it with the pipeline.");
        return fields;
    }
}
