namespace SafeDiffusion.Scheduling.Execution;

/// <summary>
/// Runs the data graph once for a firing. The pipeline supplies the real one (config reload, graph, outcome in the
/// manifest); tests supply fakes, so the scheduling logic is exercised without generating images.
/// </summary>
public interface IRegenerationRunner
{
    /// <summary>
    /// Runs to completion and returns the run id, or throws: a <c>PipelineException</c> for a failure (its exit code
    /// says whether it is the input's fault), <see cref="OperationCanceledException"/> when cancelled. Records the
    /// run's outcome in its manifest either way, and calls <see cref="RegenerationRequest.RunCreated"/> as soon as
    /// the run has an id.
    /// </summary>
    Task<string> RunAsync(RegenerationRequest request, CancellationToken ct);
}
