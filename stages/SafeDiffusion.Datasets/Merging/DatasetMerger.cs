using System.Globalization;
using System.Security.Cryptography;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Stages;

namespace SafeDiffusion.Datasets.Merging;

/// <summary>
/// Unions the datasets of several runs or folders (typically the shards of one job) into one folder of parts.
/// </summary>
/// <remarks>
/// <para>Checked before anything is kept: all inputs have the same tables, every file of a table the same schema
/// name and version, and the shards cover 0..N-1 (unless missing ones are allowed).</para>
/// <para>Rows are keyed by the schema's id. A second row with an id already seen is dropped when its content is
/// identical (every column but timestamps) and fails the merge when it differs, naming both files and the columns
/// that differ: two shards disagreeing about one image is a bug or a mixed-up input, never something to pick from.</para>
/// <para>The merged rows are written in id order (<see cref="ExternalMergeSort{TRow}"/>), so the same shards give
/// the same files whichever finished first and whatever order their rows were generated in.</para>
/// <para>Output is written with <see cref="ParquetPartWriter{TRow}"/> into a hidden staging folder beside the
/// destination and renamed into place at the end, so a failed merge leaves no half-merged dataset. A split dataset
/// (train and holdout images) also gets a <c>dataset.json</c> with its counts.</para>
/// </remarks>
public static class DatasetMerger
{
    public static async Task<MergeReport> MergeAsync(IReadOnlyList<MergeInput> inputs, string outputFolder, MergeOptions options, CancellationToken ct)
    {
        if (inputs.Count == 0) throw new UsageException("Nothing to merge: give at least one run or folder.");
        var output = Path.GetFullPath(outputFolder);
        if (File.Exists(output) || Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new UsageException($"--out {outputFolder} exists and is not empty; merge into a new folder (the merge never mixes with old files).");

        var coverage = ShardCoverage.Of(inputs, options.ExpectedShards);
        if (!coverage.Complete && !options.AllowMissingShards)
            throw new UsageException($"Cannot merge an incomplete set: {coverage.DescribeMissing()}. " +
                                     "Rerun the missing shards (same config, --shard i/N), or pass --allow-missing to merge what is there.");

        var tableNames = inputs[0].Tables.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var input in inputs.Skip(1))
        {
            var names = input.Tables.Keys.Order(StringComparer.Ordinal).ToList();
            if (!names.SequenceEqual(tableNames))
                throw new UsageException($"{input.Name} holds {Describe(names)} but {inputs[0].Name} holds {Describe(tableNames)}; merge like with like.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var staging = AtomicFile.TempPathFor(output);
        try
        {
            var tables = new List<MergedTable>();
            var tally = new DatasetTally();
            foreach (var table in tableNames)
            {
                var files = inputs.SelectMany(i => PartFiles.List(i.Tables[table]).Select(f => (Input: i.Name, File: f))).ToList();
                var target = table.Length == 0 ? staging : Path.Combine(staging, table);
                Directory.CreateDirectory(target);
                tables.Add(await MergeTableAsync(table, files, target, tally, options, ct).ConfigureAwait(false));
            }
            bool manifest = tableNames.SequenceEqual(["holdout", "train"]) && tables.All(t => t.Schema == ImagesSchema.Instance.Name);
            if (manifest)
                new DatasetManifest("train", "holdout", tally.CleanTrain, tally.HarmfulTrain, tally.Holdout, tally.ByCategory)
                    .Write(Path.Combine(staging, DatasetManifest.FileName));
            var warnings = new List<string>();
            // Shards skip the dataset stage's both-classes check (one shard may hold no harmful prompt); the merge is where it applies.
            if (manifest && (tally.CleanTrain == 0 || tally.HarmfulTrain == 0))
                warnings.Add($"the merged train split has {tally.CleanTrain} clean and {tally.HarmfulTrain} harmful rows; safety training needs both.");
            if (Directory.Exists(output)) Directory.Delete(output);
            Directory.Move(staging, output);
            AtomicFile.FlushDirectory(Path.GetDirectoryName(output)!);
            return new MergeReport(output, tables, coverage, manifest, warnings);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static async Task<MergedTable> MergeTableAsync(string table, List<(string Input, string File)> files, string target, DatasetTally tally,
        MergeOptions options, CancellationToken ct)
    {
        if (files.Count == 0)
            return new MergedTable(table, "(empty)", 0, 0, 0, 0);
        var schemas = new List<(string Name, int Version, string File)>();
        foreach (var (_, file) in files) schemas.Add(await ReadSchemaAsync(file, ct).ConfigureAwait(false));
        var first = schemas[0];
        if (schemas.FirstOrDefault(s => s.Name != first.Name || s.Version != first.Version) is { File: not null } other)
            throw new InputDataException(other.File,
                $"holds '{other.Name}' schema version {other.Version}, but {first.File} holds '{first.Name}' version {first.Version}; a merge needs one schema.",
                SchemaMetadata.NameKey, "Merge folders of the same artifact written by the same pipeline version.");
        return first.Name switch
        {
            "images" => await MergeTableAsync(table, ImagesSchema.Instance, files, target, tally.Add, options, ct).ConfigureAwait(false),
            "prompts" => await MergeTableAsync(table, PromptsSchema.Instance, files, target, null, options, ct).ConfigureAwait(false),
            _ => throw new InputDataException(first.File, $"holds a '{first.Name}' dataset, which merge does not know.", SchemaMetadata.NameKey,
                "Merge prompts or images datasets (a run's dataset, images or prompts folder)."),
        };
    }

    private static async Task<MergedTable> MergeTableAsync<TRow>(string table, IRowSchema<TRow> schema, List<(string Input, string File)> files,
        string target, Action<TRow>? written, MergeOptions options, CancellationToken ct)
    {
        var counts = new DistinctCounts();
        var sorter = new ExternalMergeSort<TRow>(schema, options.SortMemoryMb * 1024L * 1024L, Path.Combine(target, ".sort"));
        // Images tables take the dataset stage's default part sizes, so merged shards match the unsharded run's files.
        var dataset = new DatasetConfig();
        var parts = schema.Name == ImagesSchema.Instance.Name
            ? new ParquetPartWriterOptions { RowGroupRows = dataset.RowGroupRows, RowsPerPart = dataset.RowsPerPart }
            : ParquetPartWriterOptions.Default;
        await using (var writer = await ParquetPartWriter<TRow>.OpenAsync(target, schema, parts, ct).ConfigureAwait(false))
        {
            await foreach (var row in sorter.SortAsync(DistinctRowsAsync(schema, files, counts, ct), ct).ConfigureAwait(false))
            {
                await writer.WriteAsync(row, ct).ConfigureAwait(false);
                written?.Invoke(row);
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        return new MergedTable(table, schema.Name, schema.Version, counts.Rows, counts.Identical, files.Count);
    }

    /// <summary>Every row of the files once: identical repeats are counted and dropped, conflicting ones fail the merge.</summary>
    private static async IAsyncEnumerable<TRow> DistinctRowsAsync<TRow>(IRowSchema<TRow> schema, List<(string Input, string File)> files,
        DistinctCounts counts, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var seen = new Dictionary<string, (byte[] Content, int File)>(StringComparer.Ordinal);
        var reader = new ParquetPartReader<TRow>(schema);
        for (int f = 0; f < files.Count; f++)
        {
            await foreach (var row in reader.ReadAsync(files[f].File, ct).ConfigureAwait(false))
            {
                var id = schema.IdOf(row);
                var content = ContentHash(schema, row, schema.Columns);
                if (seen.TryGetValue(id, out var earlier))
                {
                    if (earlier.Content.AsSpan().SequenceEqual(content))
                    {
                        counts.Identical++;
                        continue;
                    }
                    var columns = await DifferingColumnsAsync(schema, reader, files[earlier.File].File, id, row, ct).ConfigureAwait(false);
                    throw new InputDataException(files[f].File,
                        $"has {schema.IdColumn} '{id}' with different content than {files[earlier.File].File} " +
                        $"(columns that differ: {string.Join(", ", columns)}).",
                        schema.IdColumn,
                        $"The inputs disagree about one row ({files[earlier.File].Input} and {files[f].Input}): check that they come from the same config and model, " +
                        "and that no shard was run twice with different settings.");
                }
                seen[id] = (content, f);
                counts.Rows++;
                yield return row;
            }
        }
    }

    private sealed class DistinctCounts
    {
        public long Rows { get; set; }
        public long Identical { get; set; }
    }

    private static byte[] ContentHash<TRow>(IRowSchema<TRow> schema, TRow row, IEnumerable<RowColumn<TRow>> columns)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var column in columns) column.AppendContent(row, hash);
        return hash.GetHashAndReset();
    }

    private static async Task<IReadOnlyList<string>> DifferingColumnsAsync<TRow>(IRowSchema<TRow> schema, ParquetPartReader<TRow> reader,
        string earlierFile, string id, TRow row, CancellationToken ct)
    {
        await foreach (var candidate in reader.ReadAsync(earlierFile, ct).ConfigureAwait(false))
        {
            if (schema.IdOf(candidate) != id) continue;
            return schema.Columns
                .Where(c => !ContentHash(schema, candidate, [c]).AsSpan().SequenceEqual(ContentHash(schema, row, [c])))
                .Select(c => c.Name)
                .ToList();
        }
        return ["(the earlier row could not be read again)"];
    }

    private static async Task<(string Name, int Version, string File)> ReadSchemaAsync(string file, CancellationToken ct)
    {
        await using var reader = await ParquetFileOpener.OpenAsync(file, ct).ConfigureAwait(false);
        if (!reader.CustomMetadata.TryGetValue(SchemaMetadata.NameKey, out var name))
            throw new InputDataException(file, $"is a Parquet file this pipeline did not write (no '{SchemaMetadata.NameKey}' metadata).",
                fix: "Merge only runs' datasets or folders of part files the pipeline wrote.");
        reader.CustomMetadata.TryGetValue(SchemaMetadata.VersionKey, out var versionText);
        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            throw new InputDataException(file, $"has no readable schema version ('{versionText}').", SchemaMetadata.VersionKey);
        return (name, version, file);
    }

    private static string Describe(IReadOnlyList<string> tables) =>
        tables.SequenceEqual([""]) ? "one folder of parts" : string.Join(" and ", tables);

    /// <summary>The counts a merged split dataset's dataset.json reports, as the dataset stage counts them.</summary>
    private sealed class DatasetTally
    {
        public long CleanTrain;
        public long HarmfulTrain;
        public long Holdout;
        public SortedDictionary<string, long> ByCategory { get; } = new(StringComparer.Ordinal);

        public void Add(ImageRecord row)
        {
            if (row.Split == DatasetSplit.Holdout) Holdout++;
            else if (row.Label == PromptLabel.Clean) CleanTrain++;
            else HarmfulTrain++;
            var key = $"{ContractValues.Text(row.Label)}/{row.Category}";
            ByCategory[key] = ByCategory.GetValueOrDefault(key) + 1;
        }
    }
}
