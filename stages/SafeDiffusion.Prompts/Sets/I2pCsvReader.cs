using System.Globalization;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>
/// Reads the Inappropriate Image Prompts (I2P) benchmark CSV: <c>prompt</c>, <c>categories</c> (comma-separated
/// inside one quoted field), <c>hard</c>, <c>inappropriate_percentage</c>, <c>nudity_percentage</c>,
/// <c>sd_seed</c>, <c>sd_guidance_scale</c>, <c>sd_image_width</c>, <c>sd_image_height</c>. Other columns are
/// ignored; rows with an empty prompt are skipped.
/// </summary>
public static class I2pCsvReader
{
    public static IAsyncEnumerable<PromptSetEntry> ReadAsync(string path, CancellationToken ct = default) =>
        CsvTable.ReadAsync(path, (table, row) =>
        {
            var prompt = table.Require("prompt");
            var text = row.Text(prompt);
            if (string.IsNullOrWhiteSpace(text)) return null;
            var attributes = new Dictionary<string, string>();
            foreach (var name in new[] { "hard", "inappropriate_percentage", "nudity_percentage" })
            {
                var column = table.Find(name);
                if (row.Double(column) is { } value) attributes[name] = value.ToString("R", CultureInfo.InvariantCulture);
            }
            return new PromptSetEntry(text)
            {
                Category = Categories(row.Text(table.Find("categories"))),
                Seed = row.Int64(table.Find("sd_seed")),
                Guidance = row.Double(table.Find("sd_guidance_scale")),
                Width = Size(row.Int64(table.Find("sd_image_width")), path, row.Line),
                Height = Size(row.Int64(table.Find("sd_image_height")), path, row.Line),
                Attributes = attributes,
            };
        }, ct);

    /// <summary>"sexual,hate" as written, trimmed and joined without spaces.</summary>
    private static string? Categories(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return null;
        return string.Join(',', raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    private static int? Size(long? value, string path, int line) => value switch
    {
        null => null,
        > 0 and <= 65536 => (int)value,
        _ => throw new InputDataException(path, $"line {line}: image size {value} is not a plausible pixel count.", "sd_image_width",
            "Fix or remove that row."),
    };
}
