using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Verification;
using Xunit.Abstractions;

namespace SafeDiffusion.Diffusion.Tests.FullSize;

/// <summary>
/// `pipeline models verify` at the exact SD 1.4 and SD 2.1 component sizes: random-weight folders made by diffusers
/// 0.21 and openai/CLIP (the shared generator), 8x8 latents. Every case kind the generator writes must run and pass
/// the usual tolerances (1e-4 of the reference's magnitude per component, 1e-3 for the whole txt2img loop). Needs
/// the sets (see <see cref="FullSizeReferenceSets"/>) and about 6 GB of memory; skipped, saying so, without them.
/// </summary>
[Trait("Category", "Slow")]
public class FullSizeParityTests
{
    private readonly ITestOutputHelper _output;

    public FullSizeParityTests(ITestOutputHelper output)
    {
        LibTorchRuntime.EnsureLoadable();
        _output = output;
    }

    // The kinds the generator writes for a full-size set; the CLIP vision and safety-checker kinds have sets of their own.
    private static readonly string[] KindsWritten = ["tokenizer", "text_encoder", "unet", "vae", "schedulers", "ddpm_train", "txt2img"];

    [FullSizeTheory]
    [InlineData("sd14full")]
    [InlineData("sd21full")]
    public void Every_reference_case_of_the_full_size_set_passes(string set)
    {
        var (model, cases) = FullSizeReferenceSets.Folders(set);

        var report = ReferenceCaseVerifier.Default().Run(model, cases);

        foreach (var (kind, results) in report.Cases)
            foreach (var r in results)
                _output.WriteLine($"{set} {kind} {r.Case}: {r.MaxAbsError:E3} (tolerance {r.Tolerance:E3}) {(r.Passed ? "PASS" : "FAIL")} {r.Detail}");
        Assert.Equal(KindsWritten, report.Cases.Select(c => c.Case));
        var failed = report.Cases.SelectMany(c => c.Results).Where(r => !r.Passed).ToList();
        Assert.True(failed.Count == 0,
            $"{set}: " + string.Join("; ", failed.Select(r => $"{r.Case} error {r.MaxAbsError:E3} > tolerance {r.Tolerance:E3} {r.Detail}")));
    }
}
