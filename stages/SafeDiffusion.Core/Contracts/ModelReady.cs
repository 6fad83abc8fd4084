namespace SafeDiffusion.Core.Contracts;

/// <summary>Which model a checkpoint is: the untouched base model or the safety-trained one.</summary>
public enum ModelVariant { Base, Safe }

/// <summary>
/// A diffusers-layout model folder ready to load (unet/ written by training; the frozen components referenced or
/// copied). Message from safety training to malicious fine-tuning.
/// </summary>
/// <param name="Attacked">True after malicious fine-tuning.</param>
/// <param name="Label">Human-readable name used in reports, e.g. "safe (LT)".</param>
public sealed record ModelReady(ModelVariant Variant, bool Attacked, string ModelDirectory, string Label);

/// <summary>The evaluation matrix's models: {base, safe} x {before, after the attack}.</summary>
public sealed record ModelMatrix(IReadOnlyList<ModelReady> Models)
{
    public ModelReady Get(ModelVariant variant, bool attacked) =>
        Models.Single(m => m.Variant == variant && m.Attacked == attacked);
}
