using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Verification;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>
/// One sd-parity set (<c>tiny-sd1</c> or <c>tiny-sd2</c>) in float16 and bfloat16 against its float32 references: the
/// UNet, VAE, text encoder and txt2img cases, a row per compared tensor with its tolerance; a type the device does not
/// compute in is one "not supported" row.
/// </summary>
internal sealed class HalfPrecisionParityCheck(string set) : IDoctorCheck
{
    private static readonly (string Name, Func<string, string, ScalarType, Device, IReadOnlyList<CaseResult>> Run)[] Cases =
    [
        ("unet", HalfPrecisionCases.Unet),
        ("vae", HalfPrecisionCases.Vae),
        ("text encoder", HalfPrecisionCases.TextEncoder),
        ("txt2img", HalfPrecisionCases.Txt2Img),
    ];

    public string Set => set;

    public string Name => $"parity {set}";

    /// <exception cref="InputDataException">The set's folder lacks <c>model/</c> or <c>cases/</c>.</exception>
    public IEnumerable<DoctorRow> Run(DoctorContext context, CancellationToken cancellationToken)
    {
        var (model, cases) = Folders(context.ParitySets, set);
        foreach (var half in context.Device.HalfTypes)
        {
            if (!half.Supported)
            {
                yield return new DoctorRow(Name, string.Join(", ", Cases.Select(c => c.Name)), half.Name, "-", "-", DoctorOutcome.NotSupported, half.Why);
                continue;
            }
            foreach (var (caseName, run) in Cases)
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var result in run(model, cases, half.Type, context.Device.Torch))
                    yield return Row(caseName, half, result);
            }
        }
    }

    /// <summary>The set's model and cases folders.</summary>
    /// <exception cref="InputDataException">Either is missing.</exception>
    public static (string Model, string Cases) Folders(string paritySets, string set)
    {
        var root = Path.Combine(paritySets, set);
        var model = Path.Combine(root, "model");
        var cases = Path.Combine(root, "cases");
        if (!Directory.Exists(model) || !Directory.Exists(cases))
            throw new InputDataException(root, "is not an sd-parity set: it needs model/ and cases/.",
                fix: "Point --sets at the folder holding tiny-sd1/ and tiny-sd2/ (the shared fixtures' sd-parity folder).");
        return (model, cases);
    }

    private DoctorRow Row(string caseName, HalfType half, CaseResult result) => new(
        Name,
        $"{caseName}: {result.Case}",
        half.Name,
        Number(result.MaxAbsError),
        "<= " + Number(result.Tolerance),
        result.Passed ? DoctorOutcome.Pass : DoctorOutcome.Fail,
        result.Detail);

    private static string Number(double value) => value.ToString("0.00E+00", CultureInfo.InvariantCulture);
}
