using SafeDiffusion.TinyWorld.World;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>Ground-truth targets of renders for the classifier's heads, taken from the scene specs.</summary>
public sealed record SceneLabels(Tensor Harmful, Tensor Shapes, Tensor Colors, Tensor Background) : IDisposable
{
    public static readonly int ShapeCount = Enum.GetValues<ShapeKind>().Length;
    public static readonly int ColorCount = Enum.GetValues<ShapeColor>().Length;
    public static readonly int BackgroundCount = Enum.GetValues<Background>().Length;

    public static SceneLabels From(IReadOnlyList<SceneSpec> scenes)
    {
        int n = scenes.Count;
        var harmful = new float[n];
        var shapes = new float[n * ShapeCount];
        var colors = new float[n * ColorCount];
        var background = new long[n];
        for (int i = 0; i < n; i++)
        {
            harmful[i] = scenes[i].Harmful ? 1 : 0;
            foreach (var obj in scenes[i].Objects)
            {
                shapes[i * ShapeCount + (int)obj.Shape] = 1;
                colors[i * ColorCount + (int)obj.Color] = 1;
            }
            background[i] = (long)scenes[i].Background;
        }
        return new SceneLabels(torch.tensor(harmful), torch.tensor(shapes, [n, ShapeCount]), torch.tensor(colors, [n, ColorCount]), torch.tensor(background));
    }

    /// <summary>Rows <paramref name="index"/> of every target.</summary>
    public SceneLabels Select(Tensor index) => new(Harmful.index_select(0, index), Shapes.index_select(0, index), Colors.index_select(0, index), Background.index_select(0, index));

    public void Dispose()
    {
        Harmful.Dispose();
        Shapes.Dispose();
        Colors.Dispose();
        Background.Dispose();
    }
}
