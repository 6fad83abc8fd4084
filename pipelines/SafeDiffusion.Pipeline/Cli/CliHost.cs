using System.CommandLine;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Pipeline.Commands;

namespace SafeDiffusion.Pipeline.Cli;

/// <summary>
/// Builds the `pipeline` command tree and turns outcomes into exit codes: user mistakes print one clear message
/// (no stack trace), usage errors exit 2, failures 1, Ctrl+C 130.
/// </summary>
public static class CliHost
{
    public static RootCommand BuildRoot(CliEnvironment env)
    {
        var root = new RootCommand(
            "SafeDiffusion.Pipeline: clean and harmful data, forgetting-based safety training, malicious fine-tuning and " +
            "evaluation for text-to-image diffusion models (Pan et al., NeurIPS 2024).");
        foreach (var command in CommandCatalog.All(env)) root.Subcommands.Add(command);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment env)
    {
        var root = BuildRoot(env);
        var parse = root.Parse(args, new ParserConfiguration());
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) env.Error.WriteLine($"error: {error.Message}");
            env.Error.WriteLine("Run `pipeline --help` (or `pipeline <command> --help`) for usage.");
            return ExitCodes.Usage;
        }
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // First Ctrl+C cancels cleanly; a second one kills the process the usual way.
            if (cts.IsCancellationRequested) return;
            e.Cancel = true;
            env.Error.WriteLine("Cancelling: finishing the current write so nothing is left half-written (Ctrl+C again to kill)...");
            cts.Cancel();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; cts.Cancel(); });
        Console.CancelKeyPress += onCancel;
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,
                Output = env.Out,
                Error = env.Error,
            }, cts.Token);
        }
        catch (Exception e) when (Unwrap(e) is OperationCanceledException && cts.IsCancellationRequested)
        {
            env.Error.WriteLine("Cancelled. Finished files are kept; rerun the same command to resume.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (Unwrap(e) is PipelineException p)
        {
            env.Error.WriteLine($"error: {LibTorchErrors.WithoutBacktrace(p.Message)}");
            return p.ExitCode;
        }
        catch (Exception e)
        {
            var inner = Unwrap(e);
            env.Error.WriteLine($"error: unexpected failure: {inner.GetType().Name}: {inner.Message}");
            env.Error.WriteLine(inner.StackTrace);
            env.Error.WriteLine("This is a bug or an environment problem, not a mistake in your input; please report it with the lines above.");
            return ExitCodes.Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        if (e is System.Reflection.TargetInvocationException { InnerException: { } t }) return Unwrap(t);
        return e;
    }
}
