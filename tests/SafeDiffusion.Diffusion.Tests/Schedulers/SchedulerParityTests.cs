using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Verification;
using Xunit.Abstractions;

namespace SafeDiffusion.Diffusion.Tests.Schedulers;

public class SchedulerParityTests
{
    private readonly ITestOutputHelper _output;

    public SchedulerParityTests(ITestOutputHelper output)
    {
        LibTorchRuntime.EnsureLoadable();
        _output = output;
    }

    public static TheoryData<string, string> SchedulersAndSets()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in new[] { SdParity.Sd1, SdParity.Sd2 })
        foreach (var name in new[] { "pndm", "ddim", "ddpm", "euler", "euler_a", "dpmpp_2m" })
            data.Add(name, set);
        return data;
    }

    [Theory]
    [MemberData(nameof(SchedulersAndSets))]
    public void Timesteps_sigmas_and_the_ten_step_trajectory_match_diffusers(string scheduler, string set)
    {
        var results = new SchedulersCase().Run(SdParity.Model(set), SdParity.Cases(set))
            .Where(r => r.Case.StartsWith($"schedulers.json:{scheduler}.", StringComparison.Ordinal)
                        || r.Case.StartsWith($"scheduler_{scheduler}.safetensors:", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(results, r => r.Case.EndsWith(".timesteps_10", StringComparison.Ordinal));
        Assert.Contains(results, r => r.Case.EndsWith(".timesteps_50", StringComparison.Ordinal));
        Assert.Contains(results, r => r.Case.EndsWith(":x_9", StringComparison.Ordinal));
        foreach (var r in results) _output.WriteLine($"{set} {r.Case}: {r.MaxAbsError:E3} (tolerance {r.Tolerance:E3})");
        var failed = results.Where(r => !r.Passed).Select(r => $"{r.Case} {r.MaxAbsError:E3} > {r.Tolerance:E3} {r.Detail}").ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
    }
}
