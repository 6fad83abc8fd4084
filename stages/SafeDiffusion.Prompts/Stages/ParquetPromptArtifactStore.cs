using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;

namespace SafeDiffusion.Prompts.Stages;

/// <summary>
/// Prompt artifacts as prompts-schema Parquet parts in <c>runs/&lt;id&gt;/&lt;stage&gt;/&lt;artifact&gt;/</c>. An execution
/// starts from an empty folder (prompts are cheap to regenerate and a changed config must not mix with old rows);
/// parts become visible atomically as they fill, and the artifact is recorded when the writer completes.
/// </summary>
public sealed class ParquetPromptArtifactStore : IPromptArtifactStore
{
    public async Task<IPromptArtifactWriter> OpenWriterAsync(StageContext context, string artifactName, CancellationToken ct)
    {
        var folder = FolderOf(context, artifactName);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var options = new ParquetPartWriterOptions { RowGroupRows = 1024, RowsPerPart = 65536 };
        if (!context.Shard.IsAll) options = options.ForShard(context.Shard);
        var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(folder, PromptsSchema.Instance, options, ct).ConfigureAwait(false);
        return new Writer(context, folder, writer);
    }

    public IAsyncEnumerable<PromptRecord> ReadAsync(StageContext context, string artifactName, CancellationToken ct) =>
        new ParquetPartReader<PromptRecord>(PromptsSchema.Instance).ReadAsync(FolderOf(context, artifactName), ct);

    public static string FolderOf(StageContext context, string artifactName) => Path.Combine(context.Directory, artifactName);

    private sealed class Writer(StageContext context, string folder, ParquetPartWriter<PromptRecord> writer) : IPromptArtifactWriter
    {
        public async ValueTask WriteAsync(PromptRecord record, CancellationToken ct) =>
            await writer.WriteAsync(record, ct).ConfigureAwait(false);

        public async Task CompleteAsync(CancellationToken ct)
        {
            await writer.CompleteAsync().ConfigureAwait(false);
            foreach (var part in PartFiles.List(folder)) context.AddArtifact(part, "prompts-parquet");
        }

        public ValueTask DisposeAsync() => writer.DisposeAsync();
    }
}
