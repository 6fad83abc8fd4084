using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Rendering;

/// <summary>
/// Paints the scenery: a sky with clouds; a sea under a strip of sky with wavy lighter lines; grass under a strip of
/// sky with darker blades; sand under a strip of sky with dune ridges; a night sky with stars and a crescent moon.
/// Every detail (horizon height, cloud, wave, blade, dune, star and moon positions) comes from the scene's detail
/// seed, so the same spec always paints the same picture.
/// </summary>
public static class BackgroundPainter
{
    public static void Paint(Canvas canvas, Background background, long detailSeed)
    {
        var rng = new WorldRandom(detailSeed);
        switch (background)
        {
            case Background.Sky: Sky(canvas, rng); break;
            case Background.Sea: Sea(canvas, rng); break;
            case Background.Grass: Ground(canvas, rng, WorldPalette.GrassTop, WorldPalette.GrassBottom, rng.Uniform(0.16, 0.3), Blades); break;
            case Background.Sand: Ground(canvas, rng, WorldPalette.SandTop, WorldPalette.SandBottom, rng.Uniform(0.16, 0.3), Dunes); break;
            case Background.Night: Night(canvas, rng); break;
            default: throw new ArgumentOutOfRangeException(nameof(background), background, null);
        }
    }

    private static void Gradient(Canvas canvas, RgbColor top, RgbColor bottom, double from = 0, double to = 1)
    {
        for (int y = 0; y < canvas.Size; y++)
        {
            var color = top.Lerp(bottom, (float)Math.Clamp((canvas.Center(y) - from) / (to - from), 0, 1));
            for (int x = 0; x < canvas.Size; x++) canvas.Set(x, y, color);
        }
    }

    /// <summary>Paints <paramref name="top"/>..<paramref name="bottom"/> below the horizon, blending the horizon row.</summary>
    private static void BelowHorizon(Canvas canvas, double horizon, RgbColor top, RgbColor bottom)
    {
        for (int y = 0; y < canvas.Size; y++)
        {
            double v = canvas.Center(y);
            float cover = canvas.Coverage(horizon - v);
            if (cover <= 0) continue;
            var color = top.Lerp(bottom, (float)Math.Clamp((v - horizon) / (1 - horizon), 0, 1));
            for (int x = 0; x < canvas.Size; x++) canvas.Blend(x, y, color, cover);
        }
    }

    private static void Sky(Canvas canvas, WorldRandom rng)
    {
        Gradient(canvas, WorldPalette.SkyTop, WorldPalette.SkyBottom);
        int clouds = rng.Next(1, 4);
        for (int c = 0; c < clouds; c++)
        {
            double cx = rng.Uniform(0.1, 0.9), cy = rng.Uniform(0.08, 0.6), r = rng.Uniform(0.05, 0.08);
            // A cloud is three overlapping puffs: a big middle one and two smaller ones at its sides.
            (double X, double Y, double R)[] puffs = [(cx, cy, r), (cx - r * 1.1, cy + r * 0.3, r * 0.75), (cx + r * 1.1, cy + r * 0.3, r * 0.75)];
            double Field(double x, double y) => puffs.Min(p => Math.Sqrt((x - p.X) * (x - p.X) + (y - p.Y) * (y - p.Y)) - p.R);
            canvas.PaintField(Field, (cx - 2.2 * r, cy - r, cx + 2.2 * r, cy + 1.4 * r), WorldPalette.Cloud, opacity: 0.9f);
        }
    }

    private static void Sea(Canvas canvas, WorldRandom rng)
    {
        double horizon = rng.Uniform(0.26, 0.42);
        Gradient(canvas, WorldPalette.HorizonSky.Lerp(WorldPalette.SkyTop, 0.5f), WorldPalette.HorizonSky, 0, horizon);
        BelowHorizon(canvas, horizon, WorldPalette.SeaTop, WorldPalette.SeaBottom);
        double spacing = rng.Uniform(0.08, 0.11), phase = rng.NextDouble(), frequency = rng.Uniform(2.5, 4.5);
        for (double line = horizon + spacing * rng.Uniform(0.4, 1.0); line < 1.02; line += spacing)
        {
            double baseline = line, amplitude = 0.012 + 0.01 * (line - horizon), shift = rng.NextDouble();
            double Field(double x, double y) => Math.Abs(y - (baseline + amplitude * Math.Sin(2 * Math.PI * (x * frequency + phase + shift)))) - 0.011;
            canvas.PaintField(Field, (0, baseline - amplitude - 0.02, 1, baseline + amplitude + 0.02), WorldPalette.Wave, opacity: 0.75f);
        }
    }

    private static void Ground(Canvas canvas, WorldRandom rng, RgbColor top, RgbColor bottom, double horizon,
        Action<Canvas, WorldRandom, double> details)
    {
        Gradient(canvas, WorldPalette.SkyTop.Lerp(WorldPalette.HorizonSky, 0.4f), WorldPalette.HorizonSky, 0, horizon);
        BelowHorizon(canvas, horizon, top, bottom);
        details(canvas, rng, horizon);
    }

    private static void Blades(Canvas canvas, WorldRandom rng, double horizon)
    {
        int blades = rng.Next(45, 70);
        for (int b = 0; b < blades; b++)
        {
            double x = rng.Uniform(0, 1), y = rng.Uniform(horizon + 0.06, 1.02), length = rng.Uniform(0.04, 0.08), lean = rng.Uniform(-0.025, 0.025);
            double x2 = x + lean, y2 = y - length;
            double Field(double px, double py) => Geometry2D.SegmentDistance(px, py, x, y, x2, y2) - 0.009;
            canvas.PaintField(Field, (Math.Min(x, x2) - 0.02, y2 - 0.02, Math.Max(x, x2) + 0.02, y + 0.02), WorldPalette.GrassBlade, opacity: 0.8f);
        }
    }

    private static void Dunes(Canvas canvas, WorldRandom rng, double horizon)
    {
        int ridges = rng.Next(2, 4);
        double step = (1 - horizon) / (ridges + 1);
        for (int d = 1; d <= ridges; d++)
        {
            double baseline = horizon + step * d + rng.Uniform(-0.03, 0.03), amplitude = rng.Uniform(0.02, 0.05);
            double frequency = rng.Uniform(0.8, 1.6), phase = rng.NextDouble();
            double Field(double x, double y) => Math.Abs(y - (baseline + amplitude * Math.Sin(2 * Math.PI * (x * frequency + phase)))) - 0.014;
            canvas.PaintField(Field, (0, baseline - amplitude - 0.03, 1, baseline + amplitude + 0.03), WorldPalette.Dune, opacity: 0.85f);
        }
    }

    private static void Night(Canvas canvas, WorldRandom rng)
    {
        Gradient(canvas, WorldPalette.NightTop, WorldPalette.NightBottom);
        // A few stars, not a field of them: at 32 px a star is a one-pixel speck at a random place, which the UNet can
        // only learn to scatter, and a field of them crowds the objects the UNet has to draw at night (docs/lab-notebook.md,
        // recipe 9). Changing the count changes every render: bump WorldRecipe.Version.
        int stars = rng.Next(4, 8);
        for (int s = 0; s < stars; s++)
        {
            double x = rng.Uniform(0.02, 0.98), y = rng.Uniform(0.02, 0.98), r = rng.Uniform(0.012, 0.02);
            canvas.PaintField((px, py) => Math.Sqrt((px - x) * (px - x) + (py - y) * (py - y)) - r, (x - r, y - r, x + r, y + r),
                WorldPalette.StarLight, opacity: (float)rng.Uniform(0.7, 1.0));
        }
        // A crescent: the moon's disc less a disc shifted towards one side.
        double mx = rng.Chance(0.5) ? rng.Uniform(0.1, 0.3) : rng.Uniform(0.7, 0.9), my = rng.Uniform(0.1, 0.25), mr = rng.Uniform(0.065, 0.085);
        double shift = (rng.Chance(0.5) ? 1 : -1) * mr * 0.55;
        double Moon(double x, double y) => Math.Max(
            Math.Sqrt((x - mx) * (x - mx) + (y - my) * (y - my)) - mr,
            mr * 0.95 - Math.Sqrt((x - mx - shift) * (x - mx - shift) + (y - my + mr * 0.2) * (y - my + mr * 0.2)));
        canvas.PaintField(Moon, (mx - mr, my - mr, mx + mr, my + mr), WorldPalette.Moon);
    }
}
