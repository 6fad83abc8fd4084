using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Rendering;

/// <summary>
/// Draws a <see cref="SceneSpec"/> into an RGB8 image: scenery, then the knife and its blood, then the objects.
/// A pure function of the spec and the size; thread-safe.
/// </summary>
public static class SceneRenderer
{
    /// <summary>
    /// Bump when what a scene looks like changes, its drawing or the layout <see cref="SceneSampler"/> gives it: cached
    /// artifacts trained on renders (the classifier, the base model, reference renders) key on it. What each version
    /// changed is in docs/lab-notebook.md.
    /// </summary>
    public const int Version = 3;

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
