using static TorchSharp.torch;

namespace SafeDiffusion.Training.Objectives;

/// <summary>Step 2 and the target of step 3 for one batch: the UNet's input z_t and what it must predict.</summary>
/// <param name="Noisy">[B, C, H, W] z_t = add_noise(z0, e', t), with e' the method's corruption noise.</param>
/// <param name="Target">The plain noise e (epsilon models) or get_velocity(z0, e, t) (v-prediction models).</param>
public sealed record NoisedLatents(Tensor Noisy, Tensor Target);
