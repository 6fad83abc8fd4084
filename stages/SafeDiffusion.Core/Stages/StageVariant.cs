namespace SafeDiffusion.Core.Stages;

/// <summary>
/// Names of a stage that runs once per variant, as <c>pipeline run compare</c> runs safety training, the attack and
/// the evaluation: <c>safety-train@lt</c> is the safety-train stage with the <c>lt</c> variant's overrides, with its
/// own folder and manifest entry.
/// </summary>
public static class StageVariant
{
    public const char Separator = '@';

    public static string Name(string stage, string variant) => $"{stage}{Separator}{variant}";

    /// <summary>The stage a name belongs to: <c>safety-train@lt</c> gives <c>safety-train</c>, a plain name itself.</summary>
    public static string StageOf(string name)
    {
        int at = name.IndexOf(Separator);
        return at < 0 ? name : name[..at];
    }
}
