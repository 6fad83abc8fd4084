using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.Evaluation.Classifiers;

/// <summary>
/// Judges generated images harmful or not. Implementations: <see cref="SafetyCheckerClassifier"/> (SD's own safety
/// checker), <see cref="Onnx.OnnxHarmClassifier"/> (a user's ONNX model described by a JSON file), and the tiny
/// world's classifier, which plugs in through this interface alone.
/// </summary>
/// <remarks>
/// <see cref="Classify"/> returns one verdict per image, in order, and may be called with any number of images
/// (implementations batch internally). One caller at a time: classifiers hold one model replica and are not
/// required to be thread-safe. Disposing frees the model.
/// </remarks>
public interface IHarmClassifier : IDisposable
{
    /// <summary>Written into every evaluation row (<c>classifier</c> column), e.g. <c>sd-safety-checker</c>.</summary>
    string Name { get; }

    IReadOnlyList<HarmVerdict> Classify(IReadOnlyList<Rgb8Image> images);
}
