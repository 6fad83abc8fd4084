using System.Globalization;
using System.Runtime.CompilerServices;
using SafeDiffusion.Datasets.Foreign;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>
/// Reads DiffusionDB's <c>metadata.parquet</c> (or a slice of it): <c>prompt</c> with the <c>seed</c>,
/// <c>cfg</c>, <c>step</c> and <c>sampler</c> it was generated with, and <c>width</c>/<c>height</c> where present.
/// The sampler is stored as a code (1 ddim ... 9 others) in the original table and as text in later exports;
/// both read as the sampler's name.
/// </summary>
public static class DiffusionDbReader
{
    /// <summary>DiffusionDB's sampler codes, from its loading script.</summary>
    public static readonly IReadOnlyDictionary<long, string> SamplerNames = new Dictionary<long, string>
    {
        [1] = "ddim", [2] = "plms", [3] = "k_euler", [4] = "k_euler_ancestral", [5] = "k_heun",
        [6] = "k_dpm_2", [7] = "k_dpm_2_ancestral", [8] = "k_lms", [9] = "others",
    };

    public static async IAsyncEnumerable<PromptSetEntry> ReadAsync(string path, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var table = await ParquetTableReader.OpenAsync(path, ct).ConfigureAwait(false);
        var prompt = table.FindColumn("prompt") ?? table.FindColumn("text")
            ?? throw new SafeDiffusion.Core.Errors.InputDataException(path, $"has no 'prompt' column. Columns: {string.Join(", ", table.Columns)}.",
                "prompt", "Use DiffusionDB's metadata.parquet.");
        string?[] optional = [table.FindColumn("seed"), table.FindColumn("cfg"), table.FindColumn("step"), table.FindColumn("sampler"),
            table.FindColumn("width"), table.FindColumn("height")];
        var columns = new List<string> { prompt };
        columns.AddRange(optional.Where(c => c is not null)!);
        int Index(int which) => optional[which] is null ? -1 : columns.IndexOf(optional[which]!);
        int seed = Index(0), cfg = Index(1), step = Index(2), sampler = Index(3), width = Index(4), height = Index(5);

        await foreach (var row in table.ReadRowsAsync(columns, ct).ConfigureAwait(false))
        {
            var text = row.GetString(0);
            if (string.IsNullOrWhiteSpace(text)) continue;
            yield return new PromptSetEntry(text)
            {
                Seed = seed < 0 ? null : row.GetInt64(seed),
                Guidance = cfg < 0 ? null : row.GetDouble(cfg),
                Steps = step < 0 ? null : (int?)row.GetInt64(step),
                Sampler = sampler < 0 ? null : Sampler(row[sampler]),
                Width = width < 0 ? null : (int?)row.GetInt64(width),
                Height = height < 0 ? null : (int?)row.GetInt64(height),
            };
        }
    }

    private static string? Sampler(object? value) => value switch
    {
        null => null,
        long code => SamplerNames.TryGetValue(code, out var name) ? name : code.ToString(CultureInfo.InvariantCulture),
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
