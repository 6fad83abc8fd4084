namespace SafeDiffusion.Training.Engine;

/// <summary>One optimizer step's numbers (averaged over its batches where they are per batch).</summary>
/// <param name="Step">1-based number of the step.</param>
/// <param name="Loss">The loss that was back-propagated.</param>
/// <param name="Mse">L_mse: mean squared error of the prediction against its target, over all rows.</param>
/// <param name="Contrast">L_c (0 for methods without centres).</param>
/// <param name="DistanceOwn">Mean distance of a row's transformed latent to its class's centre (0 without centres).</param>
/// <param name="DistanceOther">Mean distance to the other class's centre (0 without centres).</param>
/// <param name="CentreDistance">Distance between the two centres after the step (0 without centres).</param>
/// <param name="LearningRate">The rate this step used.</param>
/// <param name="GradNorm">Total gradient 2-norm before clipping.</param>
/// <param name="Centres">Where the class centres sit after the step, against the all-ones direction (null without centres).</param>
public sealed record StepMetrics(
    int Step,
    int Epoch,
    double Loss,
    double Mse,
    double Contrast,
    double DistanceOwn,
    double DistanceOther,
    double CentreDistance,
    double LearningRate,
    double GradNorm,
    int CleanRows,
    int HarmfulRows,
    double Seconds,
    Objectives.CentreGeometry? Centres = null);
