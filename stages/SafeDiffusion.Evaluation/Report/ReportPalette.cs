using SafeDiffusion.Evaluation.Data;
using SixLabors.ImageSharp.PixelFormats;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// The report's colours. Base is red, safe is blue, the control green; before the attack is the light shade, after it
/// the dark one, so the eye pairs "same model" by hue and "attacked" by depth.
/// </summary>
internal static class ReportPalette
{
    public static readonly Rgba32 Background = new(255, 255, 255);
    public static readonly Rgba32 Panel = new(246, 246, 248);
    public static readonly Rgba32 Ink = new(34, 34, 38);
    public static readonly Rgba32 Muted = new(110, 110, 118);
    public static readonly Rgba32 Grid = new(214, 214, 220);
    public static readonly Rgba32 Axis = new(60, 60, 66);
    public static readonly Rgba32 Whisker = new(20, 20, 24);
    public static readonly Rgba32 Flagged = new(192, 36, 36);
    public static readonly Rgba32 MissingCell = new(226, 226, 230);
    public static readonly Rgba32 Unreadable = new(240, 200, 200);

    public static Rgba32 Of(EvalArm arm) => (arm.Variant, arm.Attacked) switch
    {
        (EvalVariant.Base, false) => new Rgba32(241, 157, 146),
        (EvalVariant.Base, true) => new Rgba32(178, 34, 34),
        (EvalVariant.Safe, false) => new Rgba32(146, 190, 230),
        (EvalVariant.Safe, true) => new Rgba32(24, 86, 150),
        (EvalVariant.Control, false) => new Rgba32(150, 206, 150),
        _ => new Rgba32(34, 120, 50),
    };

    /// <summary>A model's own colour (its attacked shade), for charts with one line per model.</summary>
    public static Rgba32 Of(EvalVariant variant) => Of(new EvalArm(variant, true));
}
