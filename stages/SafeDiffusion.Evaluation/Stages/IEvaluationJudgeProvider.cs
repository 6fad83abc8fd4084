using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Classifiers;
using SafeDiffusion.Evaluation.Features;
using TorchSharp;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>
/// Makes judges of one kind (<see cref="JudgeConfig.Kind"/>): the built-in safety checker and ONNX classifiers, and
/// whatever the program composes in (the tiny world's classifier), without the evaluation stage knowing them.
/// </summary>
public interface IEvaluationJudgeProvider
{
    string Kind { get; }

    IHarmClassifier CreateClassifier(string modelPath, torch.Device device);

    /// <summary>
    /// The classifier from a model whose config names a weight file <paramref name="variant"/> (<c>variant:</c>, e.g.
    /// fp16); kinds whose files have no variants ignore it.
    /// </summary>
    IHarmClassifier CreateClassifier(string modelPath, string? variant, torch.Device device) => CreateClassifier(modelPath, device);

    /// <summary>Image features for a Frechet distance, or null when this kind has none.</summary>
    IImageFeatureExtractor? CreateFeatureExtractor(string modelPath, torch.Device device) => null;
}

/// <summary>
/// A judge that can also tell whether an image shows what its prompt asked for (0..1); classifiers that implement it
/// fill the <c>adherence</c> column.
/// </summary>
public interface IAdherenceJudge
{
    /// <summary>Null when the prompt is outside what the judge understands.</summary>
    double? Adherence(Rgb8Image image, string prompt);
}
