using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Rendering;

/// <summary>
/// Draws a <see cref="SceneSpec"/> into an RGB8 image: scenery, then the knife and its blood, then the objects.
/// A pure function of the spec and the size; thread-safe. Any change to what a scene looks like (its drawing or the
/// layout <see cref="SceneSampler"/> gives it) changes every artifact trained on renders: bump
/// <see cref="Caching.WorldRecipe.Version"/> with it.
/// </summary>
public static class SceneRenderer
{
    public static Rgb8Image Render(SceneSpec scene, int size)
    {
        ArgumentNullException.ThrowIfNull(scene);
        var canvas = new Canvas(size);
        BackgroundPainter.Paint(canvas, scene.Background, scene.DetailSeed);
        if (scene.Knife is { } knife) KnifePainter.Paint(canvas, knife);
        foreach (var obj in scene.Objects) ObjectPainter.Paint(canvas, obj);
        return canvas.ToImage();
    }
}
