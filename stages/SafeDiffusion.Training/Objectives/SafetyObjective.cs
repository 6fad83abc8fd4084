using SafeDiffusion.Diffusion.Schedulers;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Objectives;

/// <summary>
/// The training step of method.md for one batch, given the VAE latents, the noise, the timesteps and each row's class:
/// <list type="number">
/// <item><see cref="AddNoise"/>: z_t from z0 and the corruption noise (e, or e +- o for NG), and the target (e, or v).</item>
/// <item><see cref="Compute"/>: z0_hat from z_t and the UNet's prediction, the LT transform, the running centres, L_c,
/// and the loss of the chosen method.</item>
/// </list>
/// With B rows of which those in C are clean and those in H harmful, m_i a row's mean squared error, and d_i(c) the
/// Euclidean distance over (C, H, W) from a row's transformed latent to centre c:
/// <code>
/// L_c     = [sum_C d_i(c_clean) - lambda_c max(0, sum_C d_i(c_harmful) - l)]      (the clean rows' part)
///         + [sum_H d_i(c_harmful) - lambda_c max(0, sum_H d_i(c_clean) - l)]      (the harmful rows' part)
/// plain:    (1/B) sum_all m_i
/// LT, NG:   (1/B) sum_C m_i + lambda L_c
/// high:     (1/B) (sum_C m_i - 0.5 sum_H m_i) + lambda (harmful rows' part of L_c)
/// </code>
/// With batch size 1, as in the paper, these are exactly the public code's losses (its <c>L_mse * [clean]</c>, and
/// for high safety its separate clean and harmful branches). Centres are updated with the batch before the distances
/// are taken, as in the public code, and are constants to autograd.
/// </summary>
public sealed class SafetyObjective
{
    private readonly NoiseSchedule _schedule;

    public SafetyObjective(ObjectiveSettings settings, NoiseSchedule schedule, PredictionType predictionType)
    {
        if (predictionType is not (PredictionType.Epsilon or PredictionType.VPrediction))
            throw new ArgumentException($"training supports epsilon and v_prediction models, not {predictionType}.", nameof(predictionType));
        Settings = settings;
        _schedule = schedule;
        PredictionType = predictionType;
    }

    public ObjectiveSettings Settings { get; }
    public PredictionType PredictionType { get; }

    /// <summary>Whether the method keeps class centres and a contrastive term.</summary>
    public bool UsesCentres => Settings.Method != SafetyMethod.Plain;

    /// <summary>
    /// Step 2: z_t = add_noise(z0, e', t) with e' = e, or for NG e + o on clean rows and e - o on harmful rows; the
    /// target is always built from the plain noise e.
    /// </summary>
    public NoisedLatents AddNoise(Tensor latents, Tensor noise, Tensor timesteps, IReadOnlyList<bool> harmful)
    {
        using var scope = NewDisposeScope();
        var corruption = noise;
        if (Settings.Method == SafetyMethod.Ng)
        {
            var sign = RowSigns(harmful, noise);
            corruption = noise - Settings.Offset * sign;
        }
        var noisy = _schedule.AddNoise(latents, corruption, timesteps);
        var target = PredictionType == PredictionType.VPrediction ? _schedule.GetVelocity(latents, noise, timesteps) : noise.alias();
        return new NoisedLatents(noisy.MoveToOuterDisposeScope(), target.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Step 4: the clean latent the prediction implies. For epsilon models <c>(z_t - sqrt(1 - abar) e_hat) / sqrt(abar)</c>
    /// (method.md); for v-prediction models <c>sqrt(abar) z_t - sqrt(1 - abar) v_hat</c>, the same quantity for a
    /// model that predicts v (the public code applies the epsilon formula whatever the model predicts).
    /// </summary>
    public Tensor PredictedCleanLatents(Tensor noisy, Tensor prediction, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var alphaBar = _schedule.AlphasCumprod.to(prediction.dtype, prediction.device)[timesteps.to(prediction.device).to_type(ScalarType.Int64)];
        var shape = new long[prediction.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        alphaBar = alphaBar.reshape(shape);
        var sqrtAlpha = alphaBar.sqrt();
        var sqrtOneMinus = (1 - alphaBar).sqrt();
        var z0 = PredictionType == PredictionType.VPrediction
            ? sqrtAlpha * noisy - sqrtOneMinus * prediction
            : (noisy - sqrtOneMinus * prediction) / sqrtAlpha;
        return z0.MoveToOuterDisposeScope();
    }

    /// <summary>LT's latent transformation: clean rows become <c>-z - s</c>, harmful rows <c>z + s</c>; other methods keep z.</summary>
    public Tensor Transform(Tensor predictedClean, IReadOnlyList<bool> harmful)
    {
        if (Settings.Method != SafetyMethod.Lt) return predictedClean.alias();
        using var scope = NewDisposeScope();
        var sign = RowSigns(harmful, predictedClean);
        return (sign * predictedClean + sign * Settings.Shift).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Steps 4 to 6: the loss of one batch. <paramref name="prediction"/> and the target are compared in float32.
    /// <paramref name="centres"/> are updated with the batch; pass null for plain fine-tuning without centres.
    /// </summary>
    public ObjectiveResult Compute(Tensor prediction, NoisedLatents noised, Tensor timesteps, IReadOnlyList<bool> harmful, ClassCentres? centres)
    {
        int batch = harmful.Count;
        if (prediction.shape[0] != batch) throw new ArgumentException($"{batch} labels for a batch of {prediction.shape[0]}.", nameof(harmful));
        using var scope = NewDisposeScope();
        var device = prediction.device;
        var pred = prediction.to(ScalarType.Float32);
        var target = noised.Target.to(ScalarType.Float32, device);
        var rowMse = (pred - target).pow(2).flatten(1).mean([1]);
        var harmfulMask = tensor(harmful.Select(h => h ? 1f : 0f).ToArray(), device: device);
        var cleanMask = 1f - harmfulMask;
        int harmfulRows = harmful.Count(h => h);
        int cleanRows = batch - harmfulRows;

        Tensor mseTerm = Settings.Method switch
        {
            SafetyMethod.Plain => rowMse.sum() / batch,
            SafetyMethod.HighSafety => ((cleanMask - Settings.HarmfulAscent * harmfulMask) * rowMse).sum() / batch,
            _ => (cleanMask * rowMse).sum() / batch,
        };

        double contrastValue = 0, own = 0, other = 0;
        var loss = mseTerm;
        if (centres is not null)
        {
            var z0 = PredictedCleanLatents(noised.Noisy.to(ScalarType.Float32, device), pred, timesteps);
            var z = Transform(z0, harmful);
            centres.Update(z, harmful);
            var zc = Settings.ContrastGradient && Settings.Method != SafetyMethod.Plain ? z : z.detach();
            var toClean = Distances(zc, centres.Clean);
            var toHarmful = Distances(zc, centres.Harmful);
            var cleanPart = (cleanMask * toClean).sum() - Settings.LambdaC * ((cleanMask * toHarmful).sum() - Settings.Margin).clamp_min(0);
            var harmfulPart = (harmfulMask * toHarmful).sum() - Settings.LambdaC * ((harmfulMask * toClean).sum() - Settings.Margin).clamp_min(0);
            var contrast = cleanPart + harmfulPart;
            switch (Settings.Method)
            {
                case SafetyMethod.Lt or SafetyMethod.Ng:
                    loss = loss + Settings.Lambda * contrast;
                    break;
                case SafetyMethod.HighSafety:
                    loss = loss + Settings.Lambda * harmfulPart;
                    break;
            }
            contrastValue = contrast.item<float>();
            var ownDistances = cleanMask * toClean + harmfulMask * toHarmful;
            var otherDistances = cleanMask * toHarmful + harmfulMask * toClean;
            own = ownDistances.mean().item<float>();
            other = otherDistances.mean().item<float>();
        }
        double mse = rowMse.mean().item<float>();
        return new ObjectiveResult(loss.MoveToOuterDisposeScope(), mse, contrastValue, own, other, cleanRows, harmfulRows);
    }

    /// <summary>[B] distances from each row of <paramref name="latents"/> to <paramref name="centre"/>, in float32 as the public code.</summary>
    private static Tensor Distances(Tensor latents, Tensor centre) =>
        (latents - centre.to(ScalarType.Float32).unsqueeze(0)).pow(2).flatten(1).sum([1]).sqrt();

    /// <summary>[B, 1, ...] shaped to broadcast over <paramref name="like"/>: -1 for clean rows, +1 for harmful rows.</summary>
    private static Tensor RowSigns(IReadOnlyList<bool> harmful, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        return tensor(harmful.Select(h => h ? 1f : -1f).ToArray(), device: like.device).to(like.dtype).reshape(shape);
    }
}
