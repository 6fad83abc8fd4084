using System.Runtime.CompilerServices;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Foreign;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Sets;

namespace SafeDiffusion.Prompts.Laion;

/// <summary>
/// Clean captions for class 1: reads LAION metadata Parquet parts (caption column TEXT or caption, with punsafe,
/// pwatermark, similarity, WIDTH and HEIGHT where present, all case-insensitive) or plain text, JSONL or CSV
/// caption lists; filters them with <see cref="LaionCaptionFilter"/>; samples deterministically by seed
/// (independent of row order); and makes clean <see cref="PromptRecord"/>s with source <c>laion</c>.
/// </summary>
public sealed class LaionCaptionSource(LaionPromptsConfig config, TimeProvider? time = null)
{
    public const string StageName = "laion-prompts";
    public const string Source = "laion";
    public const string Category = "caption";

    private static readonly string[] TextColumns = ["TEXT", "caption", "text", "prompt"];

    public async Task<LaionCaptionResult> LoadAsync(long runSeed, string? baseDirectory = null, CancellationToken ct = default)
    {
        var input = Path.GetFullPath(Path.Combine(baseDirectory ?? Directory.GetCurrentDirectory(), config.Input));
        var files = InputFiles(input);
        var filter = new LaionCaptionFilter(config);
        var sample = new DeterministicSample<string>(config.SampleSize, config.Seed ?? SeedDerivation.Derive(runSeed, StageName, "sample"));
        foreach (var (file, format) in files)
        await foreach (var row in ReadRows(file, format, ct).ConfigureAwait(false))
        {
            if (filter.Accept(row) is { } text) sample.Offer(text, text);
        }

        var now = (time ?? TimeProvider.System).GetUtcNow();
        var generator = $"laion:{Path.GetFileName(input.TrimEnd(Path.DirectorySeparatorChar))}";
        var prompts = sample.Result().Select(text =>
        {
            var id = PromptRecord.StableId(Source, text);
            return new PromptRecord(id, text, PromptLabel.Clean, Category, Source,
                SeedDerivation.Derive(runSeed, StageName, "image-seed", id), generator, now);
        }).ToList();
        return new LaionCaptionResult(prompts, filter.Counts(prompts.Count), files.Select(f => f.Path).ToList());
    }

    private IReadOnlyList<(string Path, PromptFileFormat Format)> InputFiles(string input)
    {
        if (File.Exists(input)) return [(input, Resolve(input, config.Format))];
        if (!Directory.Exists(input))
            throw new InputDataException(input, "does not exist.", "stages.laion-prompts.input",
                "Point it at a LAION metadata Parquet file, a folder of them, or a text/JSONL/CSV caption list.");
        var files = Directory.EnumerateFiles(input)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Select(f => (Path: f, Format: FormatOf(f)))
            .Where(f => f.Format is not null && (config.Format == PromptFileFormat.Auto || f.Format == config.Format))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .Select(f => (f.Path, f.Format!.Value))
            .ToList();
        if (files.Count == 0)
            throw new InputDataException(input, $"holds no {(config.Format == PromptFileFormat.Auto ? ".parquet, .txt, .jsonl or .csv" : config.Format.ToString().ToLowerInvariant())} files.",
                "stages.laion-prompts.input", "Put the LAION metadata parts or caption lists in it, or point input at a file.");
        return files;
    }

    private static PromptFileFormat Resolve(string path, PromptFileFormat format) => format != PromptFileFormat.Auto
        ? format
        : FormatOf(path) ?? throw new InputDataException(path, "has an extension the caption source does not know.", "stages.laion-prompts.format",
            "Set format: parquet, text, jsonl or csv.");

    private static PromptFileFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".parquet" => PromptFileFormat.Parquet,
        ".txt" => PromptFileFormat.Text,
        ".jsonl" or ".ndjson" => PromptFileFormat.Jsonl,
        ".csv" => PromptFileFormat.Csv,
        _ => null,
    };

    private async IAsyncEnumerable<LaionRow> ReadRows(string path, PromptFileFormat format, [EnumeratorCancellation] CancellationToken ct)
    {
        switch (format)
        {
            case PromptFileFormat.Parquet:
                await foreach (var row in ReadParquet(path, ct).ConfigureAwait(false)) yield return row;
                break;
            case PromptFileFormat.Text:
                await foreach (var e in PlainTextPromptReader.ReadAsync(path, ct).ConfigureAwait(false)) yield return new LaionRow(e.Text);
                break;
            case PromptFileFormat.Jsonl:
                await foreach (var e in JsonlPromptReader.ReadAsync(path, ct).ConfigureAwait(false)) yield return new LaionRow(e.Text);
                break;
            case PromptFileFormat.Csv:
                await foreach (var e in CsvPromptReader.ReadAsync(path, config.TextColumn, ct).ConfigureAwait(false)) yield return new LaionRow(e.Text);
                break;
            default:
                throw new InputDataException(path, $"format {format} is not a caption list format.", "stages.laion-prompts.format");
        }
    }

    private async IAsyncEnumerable<LaionRow> ReadParquet(string path, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var table = await ParquetTableReader.OpenAsync(path, ct).ConfigureAwait(false);
        var text = config.TextColumn is { } named
            ? table.FindColumn(named) ?? throw new InputDataException(path, $"has no column '{named}'. Columns: {string.Join(", ", table.Columns)}.",
                "stages.laion-prompts.textColumn", "Name the caption column, or leave textColumn out to find TEXT or caption.")
            : table.FindColumn(TextColumns) ?? throw new InputDataException(path,
                $"has no caption column (TEXT, caption, text or prompt). Columns: {string.Join(", ", table.Columns)}.",
                "stages.laion-prompts.textColumn", "Set textColumn to the caption column's name.");
        string?[] optional = [table.FindColumn("punsafe"), table.FindColumn("pwatermark"), table.FindColumn("similarity"),
            table.FindColumn("WIDTH", "width"), table.FindColumn("HEIGHT", "height")];
        var columns = new List<string> { text };
        columns.AddRange(optional.Where(c => c is not null)!);
        int Index(int which) => optional[which] is null ? -1 : columns.IndexOf(optional[which]!);
        int punsafe = Index(0), watermark = Index(1), similarity = Index(2), width = Index(3), height = Index(4);
        await foreach (var row in table.ReadRowsAsync(columns, ct).ConfigureAwait(false))
        {
            yield return new LaionRow(row.GetString(0),
                punsafe < 0 ? null : row.GetDouble(punsafe),
                watermark < 0 ? null : row.GetDouble(watermark),
                similarity < 0 ? null : row.GetDouble(similarity),
                width < 0 ? null : row.GetInt64(width),
                height < 0 ? null : row.GetInt64(height),
                HasSafetyColumn: punsafe >= 0);
        }
    }
}
