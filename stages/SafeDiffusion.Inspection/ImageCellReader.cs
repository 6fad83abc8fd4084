using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Inspection;

namespace SafeDiffusion.Inspection;

/// <summary>
/// Picks the images out of any Parquet dataset: the binary column named <c>image</c> (else the first binary
/// column), named by <c>image_id</c> (else <c>id</c>, else the row number), captioned by label and text where those
/// columns exist.
/// </summary>
public static class ImageCellReader
{
    public static IReadOnlyList<ImageCell> Read(DuckDbSession session, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var columns = session.Describe();
        string? Find(params string[] names) => names.FirstOrDefault(n => columns.Any(c => c.Name == n));
        var image = columns.Where(c => c.Type == "BLOB").Select(c => c.Name).OrderBy(n => n == "image" ? 0 : 1).FirstOrDefault()
            ?? throw new InputDataException(session.Path,
                "has no binary column, so there are no images to export (columns: " + string.Join(", ", columns.Select(c => $"{c.Name} {c.Type}")) + ").",
                fix: "Use --export-images / --contact-sheet on an images dataset.");
        var id = Find("image_id", "id");
        var text = Find("text", "prompt", "caption");
        var label = Find("label");

        string Select(string? column) => column is null ? "NULL" : $"CAST({DuckDbSession.Identifier(column)} AS VARCHAR)";
        var sql = $"SELECT {Select(id)}, {Select(label)}, {Select(text)}, {DuckDbSession.Identifier(image)} " +
                  $"FROM {DuckDbSession.DataView} LIMIT {limit}";
        var table = session.QueryData(sql, limit);
        var cells = new List<ImageCell>(table.Rows.Count);
        for (int i = 0; i < table.Rows.Count; i++)
        {
            var row = table.Rows[i];
            if (row[3] is not byte[] bytes) continue;
            var name = row[0] as string ?? $"row-{i + 1:D6}";
            var caption = (row[1] as string, row[2] as string) switch
            {
                (null, null) => null,
                ({ } l, null) => l,
                (null, { } t) => t,
                ({ } l, { } t) => $"{l}: {t}",
            };
            cells.Add(new ImageCell(name, caption, bytes));
        }
        return cells;
    }
}
