namespace SafeDiffusion.Datasets.Schemas;

/// <summary>
/// A dataset's row type as Parquet columns. The part writer and reader are generic over this, so a new artifact
/// (the evaluation rows) is a new schema class and nothing else.
/// </summary>
/// <remarks>
/// <see cref="Name"/> and <see cref="Version"/> go into every file's key-value metadata
/// (<see cref="SchemaMetadata.NameKey"/>, <see cref="SchemaMetadata.VersionKey"/>); a reader accepts a file only
/// when both and the column list match. Bump <see cref="Version"/> whenever a column is added, removed or retyped.
/// </remarks>
public interface IRowSchema<TRow>
{
    /// <summary>The artifact this schema describes, e.g. <c>prompts</c>.</summary>
    string Name { get; }

    int Version { get; }

    /// <summary>The columns in file order.</summary>
    IReadOnlyList<RowColumn<TRow>> Columns { get; }

    /// <summary>The column holding the stable row id; resume skips ids already written.</summary>
    string IdColumn { get; }

    string IdOf(TRow row);

    /// <summary>
    /// Builds row <paramref name="row"/> of a row group back into a record. Values outside the contract (an unknown
    /// label) throw through <see cref="RowGroupColumns.Invalid"/>, which names the file and row.
    /// </summary>
    TRow ReadRow(RowGroupColumns columns, int row);
}
