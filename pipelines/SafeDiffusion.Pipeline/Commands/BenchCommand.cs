using System.CommandLine;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Benchmarks;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Pipeline.Cli;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline bench unet|txt2img`: how fast a model runs on this machine (ms per UNet call, or ms per generated image)
/// and how much memory the process peaked at; `bench parquet` and `bench memory` (<see cref="MemoryBenchCommand"/>).
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliEnvironment env)
    {
        var command = new Command("bench", "Measure speed and peak memory: the UNet, txt2img, the Parquet part writer, or the memory of txt2img and training at full size.");
        command.Subcommands.Add(CreateModelBench(env, "unet", "One UNet forward pass (ms per call)."));
        command.Subcommands.Add(CreateModelBench(env, "txt2img", "The whole sampling loop (ms per image), prompt encoding included."));
        command.Subcommands.Add(ParquetBenchCommand.Create(env));
        command.Subcommands.Add(MemoryBenchCommand.Create(env));
        return command;
    }

    private static Command CreateModelBench(CliEnvironment env, string target, string description)
    {
        var model = new Option<string>("--model") { Description = "The diffusers model folder.", Required = true, HelpName = "DIR" };
        var batch = new Option<int>("--batch") { Description = "Images (latents) per call.", DefaultValueFactory = _ => 1, HelpName = "B" };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 512, HelpName = "S" };
        var steps = new Option<int>("--steps") { Description = "Denoising steps per image (txt2img).", DefaultValueFactory = _ => 20, HelpName = "N" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu", HelpName = "DEVICE" };
        var dtype = new Option<string?>("--dtype") { Description = "float32, float16 or bfloat16 (default: float32 on the CPU, float16 on CUDA).", HelpName = "TYPE" };
        dtype.AcceptOnlyFromAmong("float32", "float16", "bfloat16");
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs first.", DefaultValueFactory = _ => 1, HelpName = "W" };
        var iterations = new Option<int>("--iterations") { Description = "Timed runs.", DefaultValueFactory = _ => 5, HelpName = "K" };
        var scheduler = new Option<string?>("--scheduler") { Description = "Scheduler for txt2img (default: the model folder's own).", HelpName = "NAME" };

        var command = new Command(target, description + " Median and mean after warm-up, and peak memory.")
        {
            model, batch, size, steps, device, dtype, warmup, iterations, scheduler,
        };
        command.SetAction((parse, ct) =>
        {
            LibTorchRuntime.EnsureLoadable();
            var dev = ParseDevice(parse.GetValue(device)!);
            var settings = new BenchmarkSettings
            {
                ModelDirectory = ModelDirectory(env, parse.GetValue(model)!),
                Batch = parse.GetValue(batch),
                Size = parse.GetValue(size),
                Steps = parse.GetValue(steps),
                Warmup = parse.GetValue(warmup),
                Iterations = parse.GetValue(iterations),
                Device = dev,
                DType = ParseDType(parse.GetValue(dtype), dev),
                Scheduler = parse.GetValue(scheduler),
            };
            var result = target == "unet"
                ? UnetBenchmark.Run(settings, ct)
                : Txt2ImgBenchmark.Run(settings, ct);
            Write(env, result);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static string ModelDirectory(CliEnvironment env, string path)
    {
        var full = env.FullPath(path);
        if (!Directory.Exists(full)) throw new InputDataException(full, "does not exist.", fix: "Point --model at a diffusers model folder.");
        return full;
    }

    internal static Device ParseDevice(string text)
    {
        if (text == "cpu") return CPU;
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (text.Length > 5 && !int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index))
                throw new UsageException($"--device {text}: expected cuda:N with N a device number.");
            if (!cuda.is_available())
                throw new UsageException($"--device {text}: CUDA is not available (build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU).");
            if (index >= cuda.device_count())
                throw new UsageException($"--device {text}: only {cuda.device_count()} CUDA device(s) are present.");
            return new Device(DeviceType.CUDA, index);
        }
        throw new UsageException($"--device {text}: use cpu, cuda or cuda:N.");
    }

    internal static ScalarType ParseDType(string? text, Device device) => text switch
    {
        null => device.type == DeviceType.CUDA ? ScalarType.Float16 : ScalarType.Float32,
        "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16,
        _ => ScalarType.Float32,
    };

    private static void Write(CliEnvironment env, BenchmarkResult result)
    {
        var s = result.Settings;
        var t = result.Timing;
        var rows = new List<(string Key, string Value)>
        {
            ("target", result.Target),
            ("model", s.ModelDirectory),
            ("device / dtype", $"{s.Device} / {s.DType}"),
            ("batch x size", $"{s.Batch} x {s.Size}px" + (result.Target == "txt2img" ? $", {s.Steps} steps, guidance {s.GuidanceScale.ToString(CultureInfo.InvariantCulture)}" : "")),
            ("warm-up / timed", $"{s.Warmup} / {s.Iterations}"),
            ($"median ({result.Unit})", Ms(t.Median)),
            ($"mean ({result.Unit})", Ms(t.Mean)),
            ("min / max", $"{Ms(t.Min)} / {Ms(t.Max)}"),
            ("peak working set", Mib(result.Memory.PeakWorkingSetBytes)),
            ("peak RSS (VmHWM)", result.Memory.VmHwmBytes is { } hwm ? Mib(hwm) : "n/a"),
        };
        if (env.Interactive)
        {
            var table = new Table().AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
            foreach (var (key, value) in rows) table.AddRow(Markup.Escape(key), Markup.Escape(value));
            env.Console.Write(table);
            return;
        }
        int width = rows.Max(r => r.Key.Length) + 2;
        foreach (var (key, value) in rows) env.Out.WriteLine($"{(key + ":").PadRight(width)}{value}");
    }

    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";
}
