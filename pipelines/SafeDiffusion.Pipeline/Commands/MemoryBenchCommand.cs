using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Training.Benchmarks;
using SafeDiffusion.Training.Engine;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline bench memory`: peak memory of txt2img (default batch 8) and of a fine-tuning step (batch 1, gradient
/// checkpointing off and on) for each model folder given, at the model's own resolution. A folder may hold only the
/// config files (random weights of the configured size). Each case runs in a child process of its own, so each peak
/// is that case's alone; <c>--in-process</c> runs them one after another in this process instead.
/// </summary>
internal static class MemoryBenchCommand
{
    private const string CaseLinePrefix = "memory-case\t";
    private static readonly string[] CaseNames = ["txt2img", "train", "train-checkpointed"];

    public static Command Create(CliEnvironment env)
    {
        var models = new Option<string[]>("--model")
        {
            Description = "A diffusers folder, or a folder of its config files (random weights); repeat for several models.",
            Required = true, HelpName = "DIR", AllowMultipleArgumentsPerToken = true,
        };
        var size = new Option<int?>("--size") { Description = "Image side in pixels (default: each model's own resolution).", HelpName = "S" };
        var batch = new Option<int>("--batch") { Description = "txt2img prompts per batch.", DefaultValueFactory = _ => 8, HelpName = "B" };
        var trainBatch = new Option<int>("--train-batch") { Description = "Training rows per step.", DefaultValueFactory = _ => 1, HelpName = "B" };
        var steps = new Option<int>("--steps") { Description = "txt2img denoising steps (memory does not grow with them).", DefaultValueFactory = _ => 2, HelpName = "N" };
        var cases = new Option<string[]>("--cases")
        {
            Description = "Which cases: txt2img, train, train-checkpointed.", DefaultValueFactory = _ => CaseNames, AllowMultipleArgumentsPerToken = true, HelpName = "CASE",
        };
        cases.AcceptOnlyFromAmong(CaseNames);
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu", HelpName = "DEVICE" };
        var dtype = new Option<string?>("--dtype") { Description = "txt2img: float32, float16 or bfloat16 (default: float32 on the CPU, float16 on CUDA).", HelpName = "TYPE" };
        dtype.AcceptOnlyFromAmong("float32", "float16", "bfloat16");
        var precision = new Option<TrainingPrecision>("--precision") { Description = "Training: Auto (bf16 mixed on CUDA, float32 on the CPU), Float32 or BFloat16Mixed.", DefaultValueFactory = _ => TrainingPrecision.Auto };
        var tiling = new Option<bool>("--vae-tiling") { Description = "txt2img: decode images larger than the VAE's tile in tiles." };
        var inProcess = new Option<bool>("--in-process") { Description = "Run the cases in this process, one after another (peaks then include the earlier cases' leftovers)." };

        var command = new Command("memory", "Peak memory of txt2img and of a training step (CPU: peak RSS; CUDA: device memory in use), one child process per case.")
        {
            models, size, batch, trainBatch, steps, cases, device, dtype, precision, tiling, inProcess,
        };
        command.SetAction(async (parse, ct) =>
        {
            LibTorchRuntime.EnsureLoadable();
            var dev = BenchCommand.ParseDevice(parse.GetValue(device)!);
            var type = BenchCommand.ParseDType(parse.GetValue(dtype), dev);
            var plan = new List<MemoryBenchmarkCase>();
            foreach (var model in parse.GetValue(models)!)
            {
                var dir = env.FullPath(model);
                if (!Directory.Exists(dir)) throw new InputDataException(dir, "does not exist.", fix: "Point --model at a diffusers folder or a folder of its config files.");
                int side = parse.GetValue(size) ?? ModelSizing.NativeResolution(dir);
                foreach (var name in parse.GetValue(cases)!.Distinct())
                {
                    plan.Add(new MemoryBenchmarkCase
                    {
                        ModelDirectory = dir,
                        Target = name == "txt2img" ? MemoryBenchmarkTarget.Txt2Img : MemoryBenchmarkTarget.TrainingStep,
                        Size = side,
                        Batch = name == "txt2img" ? Positive(parse.GetValue(batch), "--batch") : Positive(parse.GetValue(trainBatch), "--train-batch"),
                        Steps = Positive(parse.GetValue(steps), "--steps"),
                        GradientCheckpointing = name == "train-checkpointed",
                        Precision = parse.GetValue(precision),
                        DType = type,
                        VaeTiling = parse.GetValue(tiling),
                        Device = dev,
                    });
                }
            }

            var rows = new List<string[]>();
            foreach (var benchCase in plan)
            {
                string[] row;
                if (parse.GetValue(inProcess))
                {
                    var result = await MemoryBenchmark.RunAsync(benchCase, ct);
                    env.Out.WriteLine(CaseLine(result));
                    row = Row(result);
                }
                else row = await RunChildAsync(env, benchCase, parse.GetValue(device)!, parse.GetValue(dtype), ct);
                rows.Add(row);
            }
            WriteTable(env, rows);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Runs one case as `bench memory --in-process` in a child process and reads its result line.</summary>
    private static async Task<string[]> RunChildAsync(CliEnvironment env, MemoryBenchmarkCase c, string device, string? dtype, CancellationToken ct)
    {
        var exe = Environment.ProcessPath ?? throw new PipelineException("Cannot find this program's path to start a child process; use --in-process.");
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(exe), "dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(MemoryBenchCommand).Assembly.Location);
        var inv = CultureInfo.InvariantCulture;
        string[] args =
        [
            "bench", "memory", "--in-process", "--model", c.ModelDirectory, "--size", c.Size.ToString(inv),
            "--batch", c.Batch.ToString(inv), "--train-batch", c.Batch.ToString(inv), "--steps", c.Steps.ToString(inv),
            "--cases", c.Target == MemoryBenchmarkTarget.Txt2Img ? "txt2img" : c.GradientCheckpointing ? "train-checkpointed" : "train",
            "--device", device, "--precision", c.Precision.ToString(),
        ];
        foreach (var a in args) start.ArgumentList.Add(a);
        if (dtype is not null) { start.ArgumentList.Add("--dtype"); start.ArgumentList.Add(dtype); }
        if (c.VaeTiling) start.ArgumentList.Add("--vae-tiling");

        env.Error.WriteLine($"{Path.GetFileName(c.ModelDirectory)}: {c.Label} ...");
        using var process = Process.Start(start) ?? throw new PipelineException($"Could not start {exe}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var line = (await stdout).Split('\n').FirstOrDefault(l => l.StartsWith(CaseLinePrefix, StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            var lines = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var why = lines.FirstOrDefault(l => l.StartsWith("Error", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "";
            // 137: killed, most often by the kernel's out-of-memory killer.
            return [Path.GetFileName(c.ModelDirectory), c.Label, $"failed (exit {process.ExitCode}{(process.ExitCode == 137 ? ", killed: out of memory?" : "")}) {why}".Trim()];
        }
        return line[CaseLinePrefix.Length..].TrimEnd('\r').Split('\t');
    }

    /// <summary>One tab-separated line a parent process reads back: the same cells as the table's row.</summary>
    private static string CaseLine(MemoryBenchmarkResult r) => CaseLinePrefix + string.Join('\t', Row(r));

    private static string[] Row(MemoryBenchmarkResult r) =>
    [
        Path.GetFileName(r.Case.ModelDirectory),
        r.Case.Label,
        Gib(r.ModelsResidentBytes),
        r.DecodePeakBytes is { } decode ? Gib(decode) : "-",
        Gib(r.PeakResidentBytes),
        r.CudaInUseBytes is { } cudaBytes ? Gib(cudaBytes) : "-",
        (r.UnetParameters / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + (r.RandomWeights ? "M (random)" : "M"),
        r.Seconds.ToString("0", CultureInfo.InvariantCulture) + " s",
    ];

    private static void WriteTable(CliEnvironment env, IReadOnlyList<string[]> rows)
    {
        string[] header = ["model", "case", "models loaded", "decode 1 image", "peak RSS", "CUDA in use", "UNet params", "time"];
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(r => i < r.Length ? r[i].Length : 0)).ToArray();
        foreach (var r in all)
            env.Out.WriteLine(string.Join("  ", Enumerable.Range(0, header.Length).Select(i => (i < r.Length ? r[i] : "").PadRight(widths[i]))).TrimEnd());
    }

    private static string Gib(long bytes) => (bytes / (1024.0 * 1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB";

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be at least 1 (got {value}).");
}
