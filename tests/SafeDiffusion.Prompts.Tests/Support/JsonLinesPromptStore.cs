using System.Runtime.CompilerServices;
using System.Text.Json;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Prompts.Stages;

namespace SafeDiffusion.Prompts.Tests.Support;

/// <summary>A stand-in for the Parquet prompts store: JSON lines in the stage folder, committed atomically.</summary>
public sealed class JsonLinesPromptStore : IPromptArtifactStore
{
    public Task<IPromptArtifactWriter> OpenWriterAsync(StageContext context, string artifactName, CancellationToken ct) =>
        Task.FromResult<IPromptArtifactWriter>(new Writer(context, Path.Combine(context.Directory, artifactName + ".jsonl")));

    public async IAsyncEnumerable<PromptRecord> ReadAsync(StageContext context, string artifactName, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(context.Directory, artifactName + ".jsonl"), ct))
            yield return JsonSerializer.Deserialize<PromptRecord>(line)!;
    }

    private sealed class Writer(StageContext context, string path) : IPromptArtifactWriter
    {
        private readonly List<string> _lines = [];

        public ValueTask WriteAsync(PromptRecord record, CancellationToken ct)
        {
            _lines.Add(JsonSerializer.Serialize(record));
            return ValueTask.CompletedTask;
        }

        public Task CompleteAsync(CancellationToken ct)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, string.Join('\n', _lines) + "\n");
            context.AddArtifact(path, "prompts");
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
