using System.CommandLine;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Runs;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Serving;
using SafeDiffusion.Scheduling.Execution;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline serve-try` (hidden): one try of one `serve` firing, run by <see cref="ChildRegenerationRunner"/> in a
/// child process so that whatever kills the try (a native abort in llama.cpp, a stack overflow) kills only the
/// child. It runs the data graph like <see cref="DataRegenerationRunner"/> and prints
/// <see cref="ServeTryProtocol.RunCreatedPrefix"/> and the run id on stdout as soon as the run exists. Its exit code
/// is the usual one (0, 1, 2 usage, 3 input data, 130 cancelled), which the parent maps back to the exceptions the
/// scheduler classifies. Not part of the public command line: its options may change with the parent.
/// </summary>
internal static class ServeTryCommand
{
    public const string Name = "serve-try";

    public static Command Create(CliEnvironment env)
    {
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var runs = new Option<string>(ServeTryProtocol.Runs) { Required = true };
        var resume = new Option<string?>(ServeTryProtocol.Resume);
        var trigger = new Option<RunTrigger>(ServeTryProtocol.Trigger) { Required = true };
        var fire = new Option<string>(ServeTryProtocol.ScheduledFire) { Required = true };
        var attempt = new Option<int>(ServeTryProtocol.Attempt) { Required = true };
        var abortOnAttempt = new Option<int?>(ServeTryProtocol.TestAbortOnAttempt);
        var command = new Command(Name, "One try of a `serve` firing, in a child process of `serve`.")
        {
            config, set, runs, resume, trigger, fire, attempt, abortOnAttempt,
        };
        command.Hidden = true;
        command.SetAction((parse, ct) => ExecuteAsync(env, new ServeTryRequest(
            parse.GetValue(config),
            parse.GetValue(set) ?? [],
            parse.GetValue(runs)!,
            parse.GetValue(resume),
            parse.GetValue(trigger),
            ParseFireTime(parse.GetValue(fire)!),
            parse.GetValue(attempt),
            parse.GetValue(abortOnAttempt)), ct));
        return command;
    }

    /// <param name="TestAbortOnAttempt">A test hook: on this attempt the process aborts (SIGABRT) right after the run
    /// is created, as a native crash would.</param>
    internal sealed record ServeTryRequest(
        string? ConfigPath, IReadOnlyList<string> Overrides, string RunsRoot, string? ResumeRunId, RunTrigger Trigger,
        DateTimeOffset ScheduledFireUtc, int Attempt, int? TestAbortOnAttempt);

    internal static async Task<int> ExecuteAsync(CliEnvironment env, ServeTryRequest request, CancellationToken ct)
    {
        var runner = new DataRegenerationRunner(request.ConfigPath is null ? null : env.FullPath(request.ConfigPath), request.Overrides,
            env.WorkingDirectory, env.FullPath(request.RunsRoot), env.Error);
        await runner.RunAsync(new RegenerationRequest(request.Trigger, request.ScheduledFireUtc, request.Attempt, request.ResumeRunId, id =>
        {
            env.Out.WriteLine(ServeTryProtocol.RunCreatedPrefix + id);
            env.Out.Flush();
            if (request.TestAbortOnAttempt == request.Attempt)
                Environment.FailFast($"{Name}: test hook: aborting attempt {request.Attempt} after creating run {id}.");
        }), ct).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static DateTimeOffset ParseFireTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value)
            ? value
            : throw new UsageException($"{ServeTryProtocol.ScheduledFire} '{text}' is not an ISO 8601 time.");
}
