namespace SafeDiffusion.Core.Contracts;

/// <summary>
/// One model the attack saved: <paramref name="Variant"/>'s model after <paramref name="Step"/> attack steps, as a
/// diffusers folder (step 0: the model before the attack, its own folder).
/// </summary>
public sealed record AttackCheckpoint(ModelVariant Variant, int Step, string ModelDirectory);
