namespace SafeDiffusion.Evaluation.Stages;

/// <summary>Which judge scores the images: a kind served by a provider and the model it loads.</summary>
public sealed record JudgeConfig
{
    /// <summary>safety-checker (SD's own, from a model folder with safety_checker/), onnx, or a provider's kind (tiny).</summary>
    public string Kind { get; init; } = "safety-checker";

    /// <summary>Name under <c>models:</c>: a diffusers folder for the safety checker, an .onnx file, the tiny classifier.</summary>
    public string Model { get; init; } = "base";
}

/// <summary>Features for the Frechet distance on clean sets.</summary>
public sealed record FeatureConfig
{
    /// <summary>inception (pytorch-fid's InceptionV3 weights: FID proper) or a provider's kind (tiny: classifier features).</summary>
    public string Kind { get; init; } = "inception";

    /// <summary>Name under <c>models:</c> of the weights file.</summary>
    public string Model { get; init; } = "inception";
}
