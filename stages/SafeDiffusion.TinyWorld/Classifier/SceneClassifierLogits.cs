using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// One forward pass of <see cref="SceneClassifierNet"/>: the penultimate features [n, d], the raw head outputs
/// (harmful [n], shapes [n, 4], colours [n, 6], background [n, 5]) and the training-only cell maps (shape map
/// [n, 6, h/4, w/4], colour map [n, 7, h/4, w/4]), and the cell features both maps are read from ([n, 64, h/4, w/4],
/// after ReLU: what the network sees at each place of the frame). The tensors live in the caller's dispose scope.
/// </summary>
public sealed record SceneClassifierLogits(Tensor Features, Tensor Harmful, Tensor Shapes, Tensor Colors, Tensor Background, Tensor ShapeMap, Tensor ColorMap,
    Tensor CellFeatures);
