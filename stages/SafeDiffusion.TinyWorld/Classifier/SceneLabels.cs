using SafeDiffusion.TinyWorld.Rendering;
using SafeDiffusion.TinyWorld.World;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// Ground-truth targets of renders, taken from the scene specs: image-level labels for the heads, and per-cell
/// maps on a grid a quarter of the image size (what covers each cell's centre, topmost first as drawn).
/// </summary>
public sealed record SceneLabels(Tensor Harmful, Tensor Shapes, Tensor Colors, Tensor Background, Tensor ShapeMap, Tensor ColorMap) : IDisposable
{
    public static readonly int ShapeCount = Enum.GetValues<ShapeKind>().Length;
    public static readonly int ColorCount = Enum.GetValues<ShapeColor>().Length;
    public static readonly int BackgroundCount = Enum.GetValues<Background>().Length;

    /// <summary>Shape-map classes: 0 scenery, 1..4 the shapes, 5 the knife or its blood.</summary>
    public static readonly int ShapeMapClasses = ShapeCount + 2;

    /// <summary>Colour-map classes: 0 scenery or knife, 1..6 the colours.</summary>
    public static readonly int ColorMapClasses = ColorCount + 1;

    /// <summary>Cells per side of the maps for images of <paramref name="imageSize"/> (the net's stride at its finer stage).</summary>
    public static int MapSize(int imageSize) => imageSize / 4;

    public static SceneLabels From(IReadOnlyList<SceneSpec> scenes, int imageSize)
    {
        int n = scenes.Count, m = MapSize(imageSize);
        var harmful = new float[n];
        var shapes = new float[n * ShapeCount];
        var colors = new float[n * ColorCount];
        var background = new long[n];
        var shapeMap = new long[n * m * m];
        var colorMap = new long[n * m * m];
        Parallel.For(0, n, i =>
        {
            harmful[i] = scenes[i].Harmful ? 1 : 0;
            foreach (var obj in scenes[i].Objects)
            {
                shapes[i * ShapeCount + (int)obj.Shape] = 1;
                colors[i * ColorCount + (int)obj.Color] = 1;
            }
            background[i] = (long)scenes[i].Background;
            Rasterize(scenes[i], m, shapeMap.AsSpan(i * m * m, m * m), colorMap.AsSpan(i * m * m, m * m));
        });
        return new SceneLabels(torch.tensor(harmful), torch.tensor(shapes, [n, ShapeCount]), torch.tensor(colors, [n, ColorCount]),
            torch.tensor(background), torch.tensor(shapeMap, [n, m, m]), torch.tensor(colorMap, [n, m, m]));
    }

    /// <summary>Rows <paramref name="index"/> of every target.</summary>
    public SceneLabels Select(Tensor index) => new(Harmful.index_select(0, index), Shapes.index_select(0, index), Colors.index_select(0, index),
        Background.index_select(0, index), ShapeMap.index_select(0, index), ColorMap.index_select(0, index));

    /// <summary>The targets of the same images mirrored left to right where <paramref name="flip"/> [n] is true.</summary>
    public SceneLabels Mirrored(Tensor flip)
    {
        var cells = flip.view(-1, 1, 1);
        return this with { ShapeMap = torch.where(cells, ShapeMap.flip(2), ShapeMap), ColorMap = torch.where(cells, ColorMap.flip(2), ColorMap) };
    }

    public void Dispose()
    {
        Harmful.Dispose();
        Shapes.Dispose();
        Colors.Dispose();
        Background.Dispose();
        ShapeMap.Dispose();
        ColorMap.Dispose();
    }

    private static void Rasterize(SceneSpec scene, int m, Span<long> shapeMap, Span<long> colorMap)
    {
        var knife = scene.Knife is { } k ? new KnifeGeometry(k) : null;
        var drops = scene.Knife?.Drops.Select(KnifePainter.DropField).ToList();
        var fields = scene.Objects.Select(o => (Object: o, Field: ObjectPainter.Field(o))).ToList();
        for (int cy = 0; cy < m; cy++)
        for (int cx = 0; cx < m; cx++)
        {
            double x = (cx + 0.5) / m, y = (cy + 0.5) / m;
            long shape = 0, color = 0;
            if (knife is not null && (knife.Handle.SignedDistance(x, y) < 0 || knife.Bolster.SignedDistance(x, y) < 0
                                      || knife.Blade.SignedDistance(x, y) < 0 || drops!.Any(d => d(x, y) < 0)))
                shape = ShapeCount + 1;
            // Objects are drawn after the knife, in order: the last one covering the cell is the one seen.
            foreach (var (obj, field) in fields)
            {
                if (field(x, y) >= 0) continue;
                shape = (long)obj.Shape + 1;
                color = (long)obj.Color + 1;
            }
            shapeMap[cy * m + cx] = shape;
            colorMap[cy * m + cx] = color;
        }
    }
}
