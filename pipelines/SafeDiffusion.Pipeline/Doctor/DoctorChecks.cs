namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>
/// The checks `pipeline doctor --gpu` runs, in table order. This list is the extension point: a new check (for
/// instance the peak memory of `pipeline bench memory`) is one small <see cref="IDoctorCheck"/> class added here.
/// </summary>
internal static class DoctorChecks
{
    public static IReadOnlyList<IDoctorCheck> All =>
    [
        new HalfPrecisionParityCheck("tiny-sd1"),
        new HalfPrecisionParityCheck("tiny-sd2"),
        new UnetStepTimeCheck(),
        new Txt2ImgTimeCheck(),
    ];
}
