using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Prompts.Stages;

/// <summary>
/// Where a prompt stage keeps its records in the run: the prompts Parquet artifact (schema of
/// SafeDiffusion.Datasets). The prompt stages only hand records over and read them back; the pipeline wiring
/// supplies the implementation, so LLamaSharp and Parquet stay in their own projects.
/// </summary>
public interface IPromptArtifactStore
{
    /// <summary>A writer for the stage's artifact named <paramref name="artifactName"/> (e.g. <c>prompts</c>).</summary>
    Task<IPromptArtifactWriter> OpenWriterAsync(StageContext context, string artifactName, CancellationToken ct);

    /// <summary>The records a completed execution of the stage wrote, in the order written.</summary>
    IAsyncEnumerable<PromptRecord> ReadAsync(StageContext context, string artifactName, CancellationToken ct);
}

/// <summary>Writes one prompts artifact; nothing is visible to readers until <see cref="CompleteAsync"/>.</summary>
public interface IPromptArtifactWriter : IAsyncDisposable
{
    ValueTask WriteAsync(PromptRecord record, CancellationToken ct);

    /// <summary>Makes the artifact visible atomically and records it (<see cref="StageContext.AddArtifact"/>).</summary>
    Task CompleteAsync(CancellationToken ct);
}
