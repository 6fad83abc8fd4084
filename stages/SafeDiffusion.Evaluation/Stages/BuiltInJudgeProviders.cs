using SafeDiffusion.Core.Errors;
using SafeDiffusion.Evaluation.Classifiers;
using SafeDiffusion.Evaluation.Classifiers.Onnx;
using SafeDiffusion.Evaluation.Features;
using TorchSharp;

namespace SafeDiffusion.Evaluation.Stages;

/// <summary>Stable Diffusion's safety checker, from a model folder holding safety_checker/ and feature_extractor/.</summary>
public sealed class SafetyCheckerJudgeProvider : IEvaluationJudgeProvider
{
    public string Kind => "safety-checker";

    public IHarmClassifier CreateClassifier(string modelPath, torch.Device device) => CreateClassifier(modelPath, null, device);

    public IHarmClassifier CreateClassifier(string modelPath, string? variant, torch.Device device)
    {
        if (!Directory.Exists(Path.Combine(modelPath, "safety_checker")))
            throw new InputDataException(modelPath, "has no safety_checker/ folder.", "stages.evaluate.classifier.model",
                "Point it at a model folder that ships the safety checker (e.g. CompVis/stable-diffusion-v1-4), or use kind: onnx.");
        return SafetyCheckerClassifier.FromModelFolder(modelPath, device, variant: variant);
    }
}

/// <summary>A user's ONNX classifier, described by the JSON beside it.</summary>
public sealed class OnnxJudgeProvider : IEvaluationJudgeProvider
{
    public string Kind => "onnx";

    public IHarmClassifier CreateClassifier(string modelPath, torch.Device device) => OnnxHarmClassifier.FromFile(modelPath);
}

/// <summary>pytorch-fid's InceptionV3: FID proper. Only a feature provider.</summary>
public sealed class InceptionFeatureProvider : IEvaluationJudgeProvider
{
    public string Kind => "inception";

    public IHarmClassifier CreateClassifier(string modelPath, torch.Device device) =>
        throw new UsageException("kind 'inception' computes FID features; it cannot judge harm. Use safety-checker, onnx or tiny for the classifier.");

    public IImageFeatureExtractor? CreateFeatureExtractor(string modelPath, torch.Device device) =>
        InceptionFeatureExtractor.FromWeights(modelPath, device);
}
