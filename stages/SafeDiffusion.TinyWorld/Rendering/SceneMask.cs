using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Rendering;

/// <summary>
/// Which pixels of a render show what its caption names (objects, the knife and its drops) rather than scenery: those
/// where the render and the scenery drawn alone differ by more than <see cref="Tolerance"/> levels in some channel.
/// Scenery is painted first from the scene's own detail seed, so drawing it alone reproduces it exactly.
/// </summary>
public static class SceneMask
{
    /// <summary>Anti-aliased fringes that change a pixel by this much or less count as scenery.</summary>
    public const int Tolerance = 8;

    /// <param name="render"><see cref="SceneRenderer.Render"/> of <paramref name="scene"/>.</param>
    /// <returns>One flag per pixel, row-major.</returns>
    public static bool[] Of(SceneSpec scene, Rgb8Image render)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(render);
        var scenery = SceneRenderer.Render(scene with { Objects = [], Knife = null }, render.Width);
        if (scenery.Height != render.Height) throw new ArgumentException($"the render is {render.Width}x{render.Height}, not square.", nameof(render));
        var mask = new bool[render.Width * render.Height];
        for (int p = 0; p < mask.Length; p++)
        {
            int o = 3 * p;
            mask[p] = Math.Abs(render.Pixels[o] - scenery.Pixels[o]) > Tolerance
                      || Math.Abs(render.Pixels[o + 1] - scenery.Pixels[o + 1]) > Tolerance
                      || Math.Abs(render.Pixels[o + 2] - scenery.Pixels[o + 2]) > Tolerance;
        }
        return mask;
    }
}
