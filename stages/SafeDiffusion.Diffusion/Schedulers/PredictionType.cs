namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>What the UNet predicts: the noise (SD 1.x, SD 2 base), the velocity v (SD 2.x 768), or the clean sample.</summary>
public enum PredictionType
{
    Epsilon,
    VPrediction,
    Sample,
}

public static class PredictionTypes
{
    /// <summary>The diffusers config spelling: <c>epsilon</c>, <c>v_prediction</c>, <c>sample</c>.</summary>
    public static bool TryParse(string text, out PredictionType type)
    {
        switch (text)
        {
            case "epsilon": type = PredictionType.Epsilon; return true;
            case "v_prediction": type = PredictionType.VPrediction; return true;
            case "sample": type = PredictionType.Sample; return true;
            default: type = default; return false;
        }
    }

    public static string ToConfigString(this PredictionType type) => type switch
    {
        PredictionType.Epsilon => "epsilon",
        PredictionType.VPrediction => "v_prediction",
        _ => "sample",
    };
}
