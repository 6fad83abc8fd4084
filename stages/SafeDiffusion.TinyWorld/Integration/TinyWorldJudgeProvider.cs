using SafeDiffusion.Evaluation.Classifiers;
using SafeDiffusion.Evaluation.Features;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.TinyWorld.Classifier;
using TorchSharp;

namespace SafeDiffusion.TinyWorld.Integration;

/// <summary>
/// Judge kind <c>tiny</c>: the scene classifier (a folder, e.g. <c>tiny:classifier</c>) scores harm, prompt
/// adherence and, as a feature provider, the features of the tiny world's Frechet distance.
/// </summary>
public sealed class TinyWorldJudgeProvider : IEvaluationJudgeProvider
{
    public const string KindName = "tiny";

    public string Kind => KindName;

    public IHarmClassifier CreateClassifier(string modelPath, torch.Device device) => new TinyWorldHarmJudge(TinyWorldClassifier.Load(modelPath));

    public IImageFeatureExtractor? CreateFeatureExtractor(string modelPath, torch.Device device) =>
        new TinyWorldFeatureExtractor(TinyWorldClassifier.Load(modelPath));
}
