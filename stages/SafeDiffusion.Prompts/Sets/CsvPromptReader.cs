namespace SafeDiffusion.Prompts.Sets;

/// <summary>
/// A generic prompt list as CSV: the text from the named column, else the first of prompt, text, caption, TEXT;
/// an optional category and seed column.
/// </summary>
public static class CsvPromptReader
{
    public static IAsyncEnumerable<PromptSetEntry> ReadAsync(string path, string? textColumn = null, CancellationToken ct = default) =>
        CsvTable.ReadAsync(path, (table, row) =>
        {
            var column = textColumn is null ? table.Require("prompt", "text", "caption") : table.Require(textColumn);
            var text = row.Text(column);
            if (string.IsNullOrWhiteSpace(text)) return null;
            return new PromptSetEntry(text)
            {
                Category = row.Text(table.Find("category")),
                Seed = row.Int64(table.Find("seed")),
            };
        }, ct);
}
