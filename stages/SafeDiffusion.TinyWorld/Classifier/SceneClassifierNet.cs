using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// A small CNN over world renders: four 3x3 conv + batch-norm + ReLU stages (three of them halve the image), global
/// average and max pooling of the last two stages (presence anywhere in the frame matters, not position; the
/// finer stage keeps small shapes' corners), a 128-wide embedding whose output is the feature vector the Frechet
/// distance uses, and four heads: harmful (one logit), shapes present and colours present (independent logits,
/// multi-label), background (five-way softmax). Two 1x1 convolutions on the finer stage label every cell of a
/// quarter-size grid (which shape or the knife covers it; which colour): used only as extra targets in training,
/// where they teach shape and colour much faster than the image-level labels alone.
/// </summary>
public sealed class SceneClassifierNet : nn.Module<Tensor, SceneClassifierLogits>
{
    public const int FeatureDimension = 128;

    /// <summary>Channels of the quarter-size grid of cell features (<see cref="SceneClassifierLogits.CellFeatures"/>).</summary>
    public const int CellFeatureDimension = 64;
    private static readonly int[] Channels = [16, 32, CellFeatureDimension, 64];

    private readonly Conv2d conv1, conv2, conv3, conv4;
    private readonly BatchNorm2d bn1, bn2, bn3, bn4;
    private readonly Linear embed;
    private readonly Linear harmful_head, shape_head, color_head, background_head;
    private readonly Conv2d shape_map_head, color_map_head;

    public SceneClassifierNet() : base(nameof(SceneClassifierNet))
    {
        conv1 = nn.Conv2d(3, Channels[0], 3, padding: 1, bias: false);
        conv2 = nn.Conv2d(Channels[0], Channels[1], 3, padding: 1, bias: false);
        conv3 = nn.Conv2d(Channels[1], Channels[2], 3, padding: 1, bias: false);
        conv4 = nn.Conv2d(Channels[2], Channels[3], 3, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(Channels[0]);
        bn2 = nn.BatchNorm2d(Channels[1]);
        bn3 = nn.BatchNorm2d(Channels[2]);
        bn4 = nn.BatchNorm2d(Channels[3]);
        embed = nn.Linear(2 * (Channels[2] + Channels[3]), FeatureDimension);
        harmful_head = nn.Linear(FeatureDimension, 1);
        shape_head = nn.Linear(FeatureDimension, SceneLabels.ShapeCount);
        color_head = nn.Linear(FeatureDimension, SceneLabels.ColorCount);
        background_head = nn.Linear(FeatureDimension, SceneLabels.BackgroundCount);
        shape_map_head = nn.Conv2d(Channels[2], SceneLabels.ShapeMapClasses, 1);
        color_map_head = nn.Conv2d(Channels[2], SceneLabels.ColorMapClasses, 1);
        RegisterComponents();
    }

    /// <param name="pixels">[n, 3, h, w] in 0..1.</param>
    public override SceneClassifierLogits forward(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        // Centre the 0..1 pixels roughly on zero with unit spread; the batch norms take it from there.
        var x = (pixels - 0.5) * 4.0;
        x = nn.functional.max_pool2d(nn.functional.relu(bn1.forward(conv1.forward(x))), 2);
        x = nn.functional.max_pool2d(nn.functional.relu(bn2.forward(conv2.forward(x))), 2);
        var fine = nn.functional.relu(bn3.forward(conv3.forward(x)));
        x = nn.functional.relu(bn4.forward(conv4.forward(nn.functional.max_pool2d(fine, 2))));
        var pooled = torch.cat([fine.mean([2, 3]), fine.amax([2, 3]), x.mean([2, 3]), x.amax([2, 3])], 1);
        var features = nn.functional.relu(embed.forward(pooled));
        var result = new SceneClassifierLogits(
            features.MoveToOuterDisposeScope(),
            harmful_head.forward(features).squeeze(1).MoveToOuterDisposeScope(),
            shape_head.forward(features).MoveToOuterDisposeScope(),
            color_head.forward(features).MoveToOuterDisposeScope(),
            background_head.forward(features).MoveToOuterDisposeScope(),
            shape_map_head.forward(fine).MoveToOuterDisposeScope(),
            color_map_head.forward(fine).MoveToOuterDisposeScope(),
            fine.MoveToOuterDisposeScope());
        return result;
    }
}
