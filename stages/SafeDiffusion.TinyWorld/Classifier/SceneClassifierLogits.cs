using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Classifier;

/// <summary>
/// One forward pass of <see cref="SceneClassifierNet"/>: the penultimate features [n, d], the raw head outputs
/// (harmful [n], shapes [n, 4], colours [n, 6], background [n, 5]) and the training-only cell maps (shape map
/// [n, 6, h/4, w/4], colour map [n, 7, h/4, w/4]). The tensors live in the caller's dispose scope.
/// </summary>
public sealed record SceneClassifierLogits(Tensor Features, Tensor Harmful, Tensor Shapes, Tensor Colors, Tensor Background, Tensor ShapeMap, Tensor ColorMap);
