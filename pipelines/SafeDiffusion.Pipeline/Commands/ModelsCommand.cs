using System.CommandLine;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Verification;
using SafeDiffusion.Pipeline.Cli;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline models ...`: checks on diffusers model folders. `models verify` runs every reference case kind whose
/// files are in a cases folder against a model and prints one line per compared tensor.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("models", "Check model folders against reference outputs, and convert checkpoints to safetensors.");
        command.Subcommands.Add(CreateVerify(env));
        command.Subcommands.Add(ModelsConvertCommand.Create(env));
        return command;
    }

    private static Command CreateVerify(CliEnvironment env)
    {
        var model = new Option<string>("--model")
        {
            Description = "The diffusers model folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/).",
            Required = true,
            HelpName = "DIR",
        };
        var cases = new Option<string>("--cases")
        {
            Description = "The reference cases folder (unet.safetensors, vae.safetensors, schedulers.json, ...); absent case kinds are skipped.",
            Required = true,
            HelpName = "DIR",
        };
        var command = new Command("verify",
            "Compare this implementation with reference outputs (sd-parity format): one line per compared tensor with its " +
            $"max abs error and tolerance. Exit {ExitCodes.Success} when all pass, {ExitCodes.CheckFailed} when any fails.")
        {
            model,
            cases,
        };
        command.SetAction((parse, ct) => Task.FromResult(Verify(env,
            env.FullPath(parse.GetValue(model)!),
            env.FullPath(parse.GetValue(cases)!))));
        return command;
    }

    private static int Verify(CliEnvironment env, string modelDirectory, string casesDirectory)
    {
        if (!Directory.Exists(modelDirectory))
            throw new InputDataException(modelDirectory, "does not exist.", fix: "Point --model at a diffusers model folder.");
        if (!Directory.Exists(casesDirectory))
            throw new InputDataException(casesDirectory, "does not exist.", fix: "Point --cases at a folder of reference case files.");
        LibTorchRuntime.EnsureLoadable();

        var verifier = ReferenceCaseVerifier.Default();
        env.Out.WriteLine($"model: {modelDirectory}");
        env.Out.WriteLine($"cases: {casesDirectory}");
        env.Out.WriteLine(Line("kind", "compared", "max abs error", "tolerance", "result"));
        var report = verifier.Run(modelDirectory, casesDirectory, (kind, results) =>
        {
            foreach (var r in results)
                env.Out.WriteLine(Line(kind, r.Case, Number(r.MaxAbsError), Number(r.Tolerance), r.Passed ? "PASS" : "FAIL")
                                  + (r.Detail is { } d ? $"  ({d})" : ""));
        });
        if (report.Skipped.Count > 0)
            env.Out.WriteLine($"skipped (no case files): {string.Join(", ", report.Skipped)}");
        if (report.Cases.Count == 0)
            throw new InputDataException(casesDirectory, "holds none of the known reference case files, so nothing was compared.",
                fix: "Point --cases at a folder with unet.safetensors, vae.safetensors, schedulers.json or the other case files.");

        var all = report.Cases.SelectMany(c => c.Results).ToList();
        int failed = all.Count(r => !r.Passed);
        env.Out.WriteLine(failed == 0
            ? $"PASS: all {all.Count} comparisons within tolerance ({report.Cases.Count} case kinds)."
            : $"FAIL: {failed} of {all.Count} comparisons outside tolerance.");
        return failed == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }

    private static string Line(string kind, string compared, string error, string tolerance, string result) =>
        $"{kind,-14} {compared,-48} {error,13} {tolerance,11}  {result}";

    private static string Number(double value) => value.ToString("0.000E+00", CultureInfo.InvariantCulture);
}
