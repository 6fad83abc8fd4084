namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>How a row of the doctor's table came out.</summary>
internal enum DoctorOutcome
{
    /// <summary>Compared within its bound.</summary>
    Pass,

    /// <summary>Compared outside its bound, or the check could not run (the note says why).</summary>
    Fail,

    /// <summary>A figure with nothing to pass or fail (a timing).</summary>
    Measured,

    /// <summary>The device does not compute in the row's number type.</summary>
    NotSupported,
}

/// <summary>One row of `pipeline doctor`'s table.</summary>
/// <param name="Check">The check that wrote it, e.g. <c>parity tiny-sd1</c>.</param>
/// <param name="Subject">What was compared or timed, e.g. <c>unet.safetensors:out</c>.</param>
/// <param name="Precision">The number type the row ran in: float16 or bfloat16.</param>
/// <param name="Value">The max abs error or the timing, formatted with its unit.</param>
/// <param name="Bound">The tolerance of a comparison, or how a timing was taken.</param>
/// <param name="Note">Why a row failed or is not supported; extra detail otherwise.</param>
internal sealed record DoctorRow(string Check, string Subject, string Precision, string Value, string Bound, DoctorOutcome Outcome, string? Note = null);
