using System.Diagnostics;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Commands;
using SafeDiffusion.Pipeline.Doctor;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Pipeline.Tests.Commands;

public sealed class DoctorCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new("doctor");

    public DoctorCommandTests() => LibTorchRuntime.EnsureLoadable();

    public void Dispose() => _dir.Dispose();

    private async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await CliHost.RunAsync(args, CliEnvironment.ForTest(output, error, _dir.Path));
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>The table rows of the output (Markdown rows, header and rule left out).</summary>
    private static List<string[]> Rows(string output) => output.Split('\n')
        .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l != DoctorTable.HeaderRow && l != DoctorTable.RuleRow)
        .Select(l => l.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray())
        .ToList();

    [Fact]
    public async Task Doctor_gpu_on_this_cpu_build_exits_2_at_once_naming_the_device_and_the_build_switch()
    {
        if (TorchCudaProbe.BuildHasCuda) return; // a GPU build: nothing to refuse
        var clock = Stopwatch.StartNew();

        var (exit, output, error) = await Run("doctor", "--gpu");

        Assert.True(exit == ExitCodes.Usage, $"exit {exit}\n{output}\n{error}");
        Assert.Contains("--device cuda:0", error);
        Assert.Contains("-p:TorchBackend=cuda", error);
        Assert.DoesNotContain("   at ", error); // one message, no stack trace
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Doctor_without_a_check_named_is_a_usage_error()
    {
        var (exit, _, error) = await Run("doctor");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--gpu", error);
    }

    [Fact]
    public async Task A_sets_folder_that_does_not_exist_is_an_input_error_naming_it()
    {
        var (exit, _, error) = await Run("doctor", "--gpu", "--device", "cpu", "--sets", _dir.File("nowhere"));

        Assert.Equal(ExitCodes.InputData, exit);
        Assert.Contains("nowhere", error);
    }

    [Fact]
    public async Task A_size_the_unet_cannot_halve_three_times_is_a_usage_error()
    {
        var (exit, _, error) = await Run("doctor", "--gpu", "--device", "cpu", "--sets", SharedFixtures.Path("sd-parity"), "--size", "96");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--size 96", error);
    }

    private sealed class ThrowingCheck : IDoctorCheck
    {
        public string Name => "throws";
        public IEnumerable<DoctorRow> Run(DoctorContext context, CancellationToken cancellationToken)
        {
            yield return new DoctorRow(Name, "first", "bfloat16", "1", "<= 2", DoctorOutcome.Pass);
            throw new InvalidOperationException("kernel not implemented for 'BFloat16'");
        }
    }

    private sealed class MeasuringCheck : IDoctorCheck
    {
        public string Name => "measures";
        public IEnumerable<DoctorRow> Run(DoctorContext context, CancellationToken cancellationToken)
        {
            yield return new DoctorRow(Name, "speed", "bfloat16", "3 ms", "median", DoctorOutcome.Measured);
        }
    }

    [Fact]
    public void A_check_that_throws_is_one_failed_row_with_the_reason_the_later_checks_still_run_and_the_exit_is_check_failed()
    {
        var output = new StringWriter();
        var env = CliEnvironment.ForTest(output, new StringWriter(), _dir.Path);
        var context = new DoctorContext { Device = new DoctorDevice("cpu", Core.Devices.DeviceKind.Cpu, -1, null), ParitySets = _dir.Path };

        int exit = DoctorCommand.Run(env, context, [new ThrowingCheck(), new MeasuringCheck()], _dir.File("out", "doctor.md"), CancellationToken.None);

        Assert.Equal(ExitCodes.CheckFailed, exit);
        var rows = Rows(output.ToString());
        Assert.Equal(["PASS", "FAIL", "measured"], rows.Select(r => r[5]));
        Assert.Contains("kernel not implemented for 'BFloat16'", rows[1][6]);
        Assert.Contains("FAIL: 1 of 2", output.ToString());
        Assert.Equal(Rows(output.ToString()).Count, Rows(File.ReadAllText(_dir.File("out", "doctor.md"))).Count);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Doctor_gpu_on_the_cpu_runs_the_whole_table_bfloat16_against_float32_and_writes_it()
    {
        var (exit, output, error) = await Run("doctor", "--gpu", "--device", "cpu", "--sets", SharedFixtures.Path("sd-parity"),
            "--size", "64", "--steps", "2", "--warmup", "0", "--iterations", "1", "--out", "doctor.md");

        Assert.True(exit == ExitCodes.Success, $"exit {exit}\n{output}\n{error}");
        var rows = Rows(output);
        foreach (var set in new[] { "tiny-sd1", "tiny-sd2" })
        {
            var bf16 = rows.Where(r => r[0] == $"parity {set}" && r[2] == "bfloat16").ToList();
            foreach (var compared in new[] { "unet.safetensors:out", "vae.safetensors:decoded", "vae.safetensors:posterior_mean",
                         "text_encoder.safetensors:last_hidden_state", "txt2img.safetensors:latents_final", "txt2img.safetensors:image" })
                Assert.Contains(bf16, r => r[1].EndsWith(compared, StringComparison.Ordinal) && r[5] == "PASS" && r[4].StartsWith("<= ", StringComparison.Ordinal));
            Assert.Contains(rows, r => r[0] == $"parity {set}" && r[2] == "float16" && r[5] == "not supported");
        }
        Assert.Contains(rows, r => r[0] == "unet SD 1.4 size" && r[2] == "bfloat16" && r[3].EndsWith(" ms", StringComparison.Ordinal) && r[5] == "measured");
        Assert.Contains(rows, r => r[0] == "txt2img SD 1.4 size" && r[1].Contains("2 steps", StringComparison.Ordinal) && r[3].EndsWith(" s", StringComparison.Ordinal) && r[5] == "measured");
        Assert.Contains("PASS: all", output);
        Assert.Equal(rows.Count, Rows(File.ReadAllText(_dir.File("doctor.md"))).Count);
    }
}
