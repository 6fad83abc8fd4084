using System.Diagnostics;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Pipeline.Commands;
using SafeDiffusion.Scheduling.Execution;
using SafeDiffusion.Scheduling.Runs;

namespace SafeDiffusion.Pipeline.Serving;

/// <summary>What every try of `serve` passes to its child.</summary>
/// <param name="ConfigPath">The config file, read again by every child (null: the built-in default).</param>
/// <param name="StopGrace">How long a cancelled child may take to stop after SIGTERM before it is killed.</param>
/// <param name="ExtraArguments">Appended to the child's arguments (tests pass the hidden test hooks).</param>
internal sealed record ChildRegenerationSettings(
    string? ConfigPath, IReadOnlyList<string> Overrides, string WorkingDirectory, string RunsRoot, TimeSpan StopGrace,
    IReadOnlyList<string> ExtraArguments);

/// <summary>
/// The scheduler's runner: each try runs the data graph in a child process of this program (`pipeline serve-try`),
/// so that whatever kills it (a native abort, a stack overflow, the OOM killer) is a failed try, retried and
/// reported, never a dead host. The child's log lines go to the host's log; its run id arrives on stdout as soon
/// as the run exists; its exit code maps back to the exceptions the scheduler classifies (<see cref="ChildExit"/>).
/// Cancelling (host stop, run timeout) sends SIGTERM, waits <see cref="ChildRegenerationSettings.StopGrace"/>, then
/// kills the child. A run the child leaves without an outcome when it dies is marked crashed at once.
/// </summary>
internal sealed class ChildRegenerationRunner(ChildRegenerationSettings settings, PipelineProgram program, TextWriter log) : IRegenerationRunner
{
    private readonly Lock _logGate = new();

    /// <exception cref="PipelineException">The try failed; its exit code is the child's where that says usage (2) or input data (3).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled; the child has stopped.</exception>
    public async Task<string> RunAsync(RegenerationRequest request, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        using var child = Start(request);
        string? runId = null;
        string? lastError = null;
        var stdout = PumpAsync(child.StandardOutput, line =>
        {
            if (line.StartsWith(ServeTryProtocol.RunCreatedPrefix, StringComparison.Ordinal))
            {
                runId = line[ServeTryProtocol.RunCreatedPrefix.Length..].Trim();
                request.RunCreated(runId);
            }
            else Write(line);
        });
        var stderr = PumpAsync(child.StandardError, line =>
        {
            if (line.StartsWith("error: ", StringComparison.Ordinal)) lastError = line["error: ".Length..];
            Write(line);
        });

        var cancelled = false;
        try
        {
            await child.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            cancelled = true;
            await StopAsync(child).ConfigureAwait(false);
        }
        // The pipes close when the child exits; reading them to the end keeps its last lines (the error) in the log.
        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        var code = child.ExitCode;

        if (!ChildExit.IsOrderly(code) && runId is not null)
        {
            var started = new RunOutcome
            {
                Status = RunStatus.Crashed,
                FinishedUtc = DateTimeOffset.UtcNow,
                Graph = Graphs.PipelineComposition.Data,
                Trigger = request.Trigger,
                ScheduledFireUtc = request.ScheduledFireUtc,
                Attempts = request.Attempt,
            };
            if (CrashedRuns.Mark(new RunStore(settings.RunsRoot), runId, DateTimeOffset.UtcNow, ChildExit.Describe(code), started))
                Write($"run {runId}: marked crashed ({ChildExit.Describe(code)}).");
        }
        if (cancelled) throw new OperationCanceledException("The regeneration was cancelled; its process has stopped.", ct);
        if (code != ExitCodes.Success) throw ChildExit.ToException(code, lastError);
        return runId ?? throw new PipelineException($"The regeneration process exited with code 0 without reporting its run id ({ServeTryProtocol.RunCreatedPrefix.Trim()}).");
    }

    private Process Start(RegenerationRequest request)
    {
        var arguments = new List<string> { ServeTryCommand.Name };
        if (settings.ConfigPath is { } config) arguments.AddRange(["--config", config]);
        foreach (var set in settings.Overrides) arguments.AddRange(["--set", set]);
        arguments.AddRange([ServeTryProtocol.Runs, settings.RunsRoot]);
        if (request.ResumeRunId is { } resume) arguments.AddRange([ServeTryProtocol.Resume, resume]);
        arguments.AddRange([
            ServeTryProtocol.Trigger, request.Trigger.ToString(),
            ServeTryProtocol.ScheduledFire, request.ScheduledFireUtc.ToString("O", CultureInfo.InvariantCulture),
            ServeTryProtocol.Attempt, request.Attempt.ToString(CultureInfo.InvariantCulture),
        ]);
        arguments.AddRange(settings.ExtraArguments);
        try
        {
            return Process.Start(program.StartInfo(arguments, settings.WorkingDirectory))
                   ?? throw new PipelineException($"Could not start the regeneration process ({program.FileName}).");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PipelineException($"Could not start the regeneration process ({program.FileName}): {e.Message}", ExitCodes.Failure, e);
        }
    }

    /// <summary>SIGTERM, so the child records its run as cancelled; a child still there after the grace is killed.</summary>
    private async Task StopAsync(Process child)
    {
        ProcessSignals.Terminate(child);
        try
        {
            await child.WaitForExitAsync().WaitAsync(settings.StopGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Write($"the regeneration process did not stop within {settings.StopGrace} of SIGTERM; killing it.");
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line) onLine(line);
    }

    private void Write(string line)
    {
        lock (_logGate) log.WriteLine(line);
    }
}
