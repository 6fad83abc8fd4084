using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace SafeDiffusion.Images.Drawing;

/// <summary>
/// The typefaces every chart and sheet letters with: DejaVu Sans, regular and bold, read from this assembly's
/// resources. SkiaSharp's NoDependencies native build finds no system fonts, and a fresh machine may have none, so
/// text must not depend on what is installed; it also makes the same inputs draw the same pixels everywhere.
/// </summary>
public static class DrawingFonts
{
    /// <summary>The family name charts ask ScottPlot for; <see cref="UseInScottPlot"/> makes it resolve to these faces.</summary>
    public const string Family = "DejaVu Sans";

    private static readonly SKTypeface RegularFace = Load("DejaVuSans.ttf");
    private static readonly SKTypeface BoldFace = Load("DejaVuSans-Bold.ttf");
    private static readonly Lazy<bool> ScottPlotRegistration = new(RegisterWithScottPlot, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The regular or bold face.</summary>
    public static SKTypeface Face(bool bold) => bold ? BoldFace : RegularFace;

    /// <summary>
    /// Registers <see cref="Family"/> with ScottPlot's font resolvers and makes it ScottPlot's default font. ScottPlot
    /// keeps its resolvers process-wide; this adds ours exactly once however many threads call it.
    /// </summary>
    public static void UseInScottPlot() => _ = ScottPlotRegistration.Value;

    private static bool RegisterWithScottPlot()
    {
        Fonts.FontResolvers.Add(new Resolver());
        Fonts.Default = Family;
        return true;
    }

    private static SKTypeface Load(string file)
    {
        var name = $"SafeDiffusion.Images.Fonts.{file}";
        using var stream = typeof(DrawingFonts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the font resource {name} is missing from {typeof(DrawingFonts).Assembly.GetName().Name}");
        using var data = SKData.Create(stream);
        return SKTypeface.FromData(data) ?? throw new InvalidOperationException($"the font resource {name} is not a font SkiaSharp can read");
    }

    /// <summary>Answers for <see cref="Family"/> only, so any other name still falls through to ScottPlot's own lookup.</summary>
    private sealed class Resolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            string.Equals(fontName, Family, StringComparison.OrdinalIgnoreCase) ? Face(bold) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            CreateTypeface(fontName, weight >= FontWeight.SemiBold, slant != FontSlant.Upright);
    }
}
