using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Doctor;

/// <summary>
/// How far a 16-bit run of an sd-parity case may be from its float32 reference: a number of unit roundoffs of the
/// type, relative to max(1, max |reference|) as the sd-parity float32 rule is. The bounds follow from what the
/// formats hold, not from a run: a port that is right in float32 but wrong in half precision (a kernel that
/// mis-rounds, a value that overflows float16, a layer that should have been upcast) lands well outside them.
/// </summary>
internal static class HalfPrecisionTolerance
{
    /// <summary>
    /// Roundoffs allowed for one forward pass of a component. Each layer rounds its weights, inputs and output (about
    /// one roundoff each); a residual network adds those errors over its depth (some tens of layers for the sd-parity
    /// models, a few roundoffs after partial cancellation), and the max over thousands of elements sits several
    /// standard deviations out. 32 roundoffs is about 1.6e-2 in float16 and 1.25e-1 in bfloat16 at unit scale; a
    /// layer computed wrongly in half precision is off by tens of percent.
    /// </summary>
    public const double ComponentRoundoffs = 32;

    /// <summary>
    /// Roundoffs allowed for the whole txt2img loop: the UNet's error enters every step, and classifier-free guidance
    /// at 7.5 scales the part of it that differs between the conditional and unconditional halves; the VAE decode
    /// adds its own. Four times the component bound: about 6e-2 in float16 (diffusers' own float16-against-float32
    /// pipeline checks allow 5e-2 on images in [0, 1]) and 0.5 in bfloat16.
    /// </summary>
    public const double Txt2ImgRoundoffs = 4 * ComponentRoundoffs;

    /// <summary>The unit roundoff, half the gap between 1 and the next number: float16 keeps 10 fraction bits (2^-11),
    /// bfloat16 7 (2^-8), float32 23 (2^-24).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a float type the doctor checks.</exception>
    public static double UnitRoundoff(ScalarType type) => type switch
    {
        ScalarType.Float16 => Math.ScaleB(1, -11),
        ScalarType.BFloat16 => Math.ScaleB(1, -8),
        ScalarType.Float32 => Math.ScaleB(1, -24),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "float16, bfloat16 or float32"),
    };

    /// <summary>The bound on max |actual - reference| of one component's output (UNet, VAE, text encoder).</summary>
    public static double Component(ScalarType type, double maxAbsReference) =>
        ComponentRoundoffs * UnitRoundoff(type) * Math.Max(1.0, maxAbsReference);

    /// <summary>The bound on max |actual - reference| of the txt2img loop's final latents and image.</summary>
    public static double Txt2Img(ScalarType type, double maxAbsReference) =>
        Txt2ImgRoundoffs * UnitRoundoff(type) * Math.Max(1.0, maxAbsReference);
}
