using System.CommandLine;
using System.Diagnostics;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Doctor;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline doctor --gpu`: one Markdown table for a person with a GPU to run once and paste back: float16 and
/// bfloat16 against the float32 references of the sd-parity sets (tolerance per row), and SD 1.4-size timings
/// (<see cref="DoctorChecks.All"/>). Without CUDA it stops at once naming the device and the build switch;
/// <c>--device cpu</c> runs the same table on the CPU.
/// </summary>
internal static class DoctorCommand
{
    public static Command Create(CliEnvironment env)
    {
        var gpu = new Option<bool>("--gpu") { Description = "Check the GPU: half-precision parity on the tiny sets and SD 1.4-size timings." };
        var device = new Option<string>("--device") { Description = "cuda, cuda:N, or cpu (the same table on the CPU, bfloat16 only).", DefaultValueFactory = _ => "cuda:0", HelpName = "DEVICE" };
        var output = new Option<string?>("--out") { Description = "Also write the table to this Markdown file.", HelpName = "FILE.md" };
        var sets = new Option<string?>("--sets") { Description = "The folder holding the sd-parity sets tiny-sd1/ and tiny-sd2/ (default: shared/fixtures/sd-parity beside the checkout).", HelpName = "DIR" };
        var size = new Option<int>("--size") { Description = "Image side of the SD 1.4-size timings (a multiple of 64; shrink it only for a quick CPU run).", DefaultValueFactory = _ => 512, HelpName = "PX" };
        var steps = new Option<int>("--steps") { Description = "Denoising steps of the txt2img timing.", DefaultValueFactory = _ => 20, HelpName = "N" };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before each timing.", DefaultValueFactory = _ => 1, HelpName = "W" };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs of each timing (the median is reported).", DefaultValueFactory = _ => 3, HelpName = "K" };

        var command = new Command("doctor",
            $"Check this machine's accelerator and print one Markdown table to paste back. Exit {ExitCodes.Success} when every comparison " +
            $"passes, {ExitCodes.CheckFailed} when one fails, {ExitCodes.Usage} when the device is not in this build or machine.")
        {
            gpu, device, output, sets, size, steps, warmup, iterations,
        };
        command.SetAction((parse, ct) =>
        {
            if (!parse.GetValue(gpu))
                throw new UsageException("pipeline doctor: name what to check; --gpu (with --device cuda:N or cpu) is the check there is.");
            var resolved = DoctorDevice.Resolve(parse.GetValue(device)!, new NativeDevicePlatform());
            var context = new DoctorContext
            {
                Device = resolved,
                ParitySets = ParitySetsFolder.Resolve(parse.GetValue(sets) is { } s ? env.FullPath(s) : null, env.WorkingDirectory),
                Size = parse.GetValue(size),
                Steps = parse.GetValue(steps),
                Warmup = parse.GetValue(warmup),
                Iterations = parse.GetValue(iterations),
            };
            context.Validate();
            var outFile = parse.GetValue(output) is { } o ? env.FullPath(o) : null;
            return Task.FromResult(Run(env, context, DoctorChecks.All, outFile, ct));
        });
        return command;
    }

    /// <summary>Runs every check, printing each row as it comes; a check that throws (other than on bad input) is one FAIL row.</summary>
    public static int Run(CliEnvironment env, DoctorContext context, IReadOnlyList<IDoctorCheck> checks, string? outFile, CancellationToken ct)
    {
        LibTorchRuntime.EnsureLoadable();
        var lines = new List<string>();
        void Print(string line)
        {
            lines.Add(line);
            env.Out.WriteLine(line);
        }

        Print("# pipeline doctor --gpu");
        Print("");
        Print($"- device: {context.Device.Description}; build: TorchSharp-{(TorchCudaProbe.BuildHasCuda ? "cuda" : "cpu")}");
        Print("- half precision: " + string.Join("; ", context.Device.HalfTypes.Select(h => h.Supported ? $"{h.Name} supported" : $"{h.Name} not supported ({h.Why})")));
        Print($"- parity: {context.ParitySets} against the float32 references; bound = k roundoffs x max(1, max|reference|), " +
              $"k = {HalfPrecisionTolerance.ComponentRoundoffs} a component, {HalfPrecisionTolerance.Txt2ImgRoundoffs} txt2img");
        Print($"- timings: SD 1.4 size, random weights, {context.Size} px, {context.Steps} txt2img steps, guidance 7.5");
        Print("");
        Print(DoctorTable.HeaderRow);
        Print(DoctorTable.RuleRow);
        var rows = new List<DoctorRow>();
        foreach (var check in checks)
        {
            try
            {
                foreach (var row in check.Run(context, ct))
                {
                    rows.Add(row);
                    Print(DoctorTable.Format(row));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException and not PipelineException)
            {
                var row = new DoctorRow(check.Name, "(the check stopped)", "-", "-", "-", DoctorOutcome.Fail, Describe(e));
                rows.Add(row);
                Print(DoctorTable.Format(row));
            }
        }
        int compared = rows.Count(r => r.Outcome is DoctorOutcome.Pass or DoctorOutcome.Fail);
        int failed = rows.Count(r => r.Outcome == DoctorOutcome.Fail);
        Print("");
        Print(failed == 0 ? $"PASS: all {compared} comparisons within their bounds." : $"FAIL: {failed} of {compared} rows outside their bounds or stopped.");
        if (outFile is not null)
        {
            if (Path.GetDirectoryName(outFile) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
            File.WriteAllLines(outFile, lines);
            env.Out.WriteLine($"written: {outFile}");
        }
        return failed == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }

    /// <summary>The exception in one line, with the method it was thrown from, for a pasted-back table to be diagnosable.</summary>
    private static string Describe(Exception e)
    {
        var thrower = new StackTrace(e).GetFrame(0)?.GetMethod();
        return $"{e.GetType().Name}: {e.Message}" + (thrower is null ? "" : $" (in {thrower.DeclaringType?.Name}.{thrower.Name})");
    }
}
