using static TorchSharp.torch;

namespace SafeDiffusion.Training.Objectives;

/// <summary>One batch's loss (a scalar tensor in the autograd graph) and the terms behind it, as numbers for the metrics.</summary>
/// <param name="Loss">The loss to back-propagate.</param>
/// <param name="Mse">Mean over the batch of each row's mean squared error (all rows, whatever their class).</param>
/// <param name="Contrast">L_c: the contrastive term's value (0 when no centres are kept).</param>
/// <param name="DistanceOwn">Mean over the rows of the distance to the row's own class centre.</param>
/// <param name="DistanceOther">Mean over the rows of the distance to the other class's centre.</param>
public sealed record ObjectiveResult(
    Tensor Loss,
    double Mse,
    double Contrast,
    double DistanceOwn,
    double DistanceOther,
    int CleanRows,
    int HarmfulRows);
