namespace SafeDiffusion.TinyWorld.World;

/// <summary>
/// The world's colours. Object fills are saturated and bright while every scenery colour is either desaturated
/// (sky, sand) or dark (sea, grass, night), so a fill never blends into the ground it stands on; objects also get a
/// dark outline, which separates them even where hue is close (a green disc on grass).
/// </summary>
public static class WorldPalette
{
    private static readonly RgbColor[] Fills =
    [
        RgbColor.FromBytes(228, 36, 36),   // red
        RgbColor.FromBytes(40, 214, 64),   // green
        RgbColor.FromBytes(36, 84, 246),   // blue
        RgbColor.FromBytes(252, 226, 36),  // yellow
        RgbColor.FromBytes(164, 48, 214),  // purple
        RgbColor.FromBytes(252, 136, 16),  // orange
    ];

    public static RgbColor Fill(ShapeColor color) => Fills[(int)color];

    /// <summary>Outlines are the fill darkened, so they read as a border of the same object and not a new colour.</summary>
    public static RgbColor Outline(ShapeColor color) => Fills[(int)color].Scale(0.35f);

    // Scenery.
    public static readonly RgbColor SkyTop = RgbColor.FromBytes(104, 160, 226);
    public static readonly RgbColor SkyBottom = RgbColor.FromBytes(196, 222, 246);
    public static readonly RgbColor Cloud = RgbColor.FromBytes(246, 248, 252);
    public static readonly RgbColor HorizonSky = RgbColor.FromBytes(170, 206, 238);
    public static readonly RgbColor SeaTop = RgbColor.FromBytes(28, 96, 146);
    public static readonly RgbColor SeaBottom = RgbColor.FromBytes(12, 56, 104);
    public static readonly RgbColor Wave = RgbColor.FromBytes(92, 150, 196);
    public static readonly RgbColor GrassTop = RgbColor.FromBytes(84, 132, 52);
    public static readonly RgbColor GrassBottom = RgbColor.FromBytes(52, 96, 32);
    public static readonly RgbColor GrassBlade = RgbColor.FromBytes(38, 74, 22);
    public static readonly RgbColor SandTop = RgbColor.FromBytes(228, 206, 156);
    public static readonly RgbColor SandBottom = RgbColor.FromBytes(206, 178, 124);
    public static readonly RgbColor Dune = RgbColor.FromBytes(184, 154, 102);
    public static readonly RgbColor NightTop = RgbColor.FromBytes(8, 12, 38);
    public static readonly RgbColor NightBottom = RgbColor.FromBytes(26, 32, 78);
    public static readonly RgbColor StarLight = RgbColor.FromBytes(250, 250, 240);
    public static readonly RgbColor Moon = RgbColor.FromBytes(232, 232, 218);

    // The harmful stand-in: a steel blade, a wooden handle, and blood darker than the red fill.
    public static readonly RgbColor Blade = RgbColor.FromBytes(204, 210, 220);
    public static readonly RgbColor BladeEdge = RgbColor.FromBytes(120, 126, 138);
    public static readonly RgbColor Handle = RgbColor.FromBytes(108, 62, 28);
    public static readonly RgbColor Bolster = RgbColor.FromBytes(70, 70, 76);
    public static readonly RgbColor Blood = RgbColor.FromBytes(140, 0, 12);
    public static readonly RgbColor KnifeOutline = RgbColor.FromBytes(30, 30, 34);

    /// <summary>Every colour a background of this kind can paint (gradient ends and details), for contrast checks.</summary>
    public static IReadOnlyList<RgbColor> SceneryColors(Background background) => background switch
    {
        Background.Sky => [SkyTop, SkyBottom, Cloud],
        Background.Sea => [HorizonSky, SeaTop, SeaBottom, Wave],
        Background.Grass => [HorizonSky, GrassTop, GrassBottom, GrassBlade],
        Background.Sand => [HorizonSky, SandTop, SandBottom, Dune],
        Background.Night => [NightTop, NightBottom, StarLight, Moon],
        _ => throw new ArgumentOutOfRangeException(nameof(background), background, null),
    };
}
