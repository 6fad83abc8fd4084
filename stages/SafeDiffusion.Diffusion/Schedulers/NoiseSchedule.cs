using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// The training noise schedule every scheduler shares: betas, alphas, cumulative alpha products (float32, computed
/// with the same torch operations as diffusers so the values agree bit for bit), and the variance-preserving forward
/// process used in training: <see cref="AddNoise"/> and the v-prediction target <see cref="GetVelocity"/>.
/// </summary>
public sealed class NoiseSchedule : IDisposable
{
    /// <param name="allowSigmoid">Only DDPM accepts the "sigmoid" beta schedule.</param>
    public NoiseSchedule(int numTrainTimesteps, double betaStart, double betaEnd, string betaSchedule,
        IReadOnlyList<double>? trainedBetas, bool rescaleZeroTerminalSnr, string source, bool allowSigmoid = false)
    {
        LibTorchRuntime.EnsureLoadable();
        if (numTrainTimesteps < 2) throw new InputDataException(source, "must be at least 2.", "num_train_timesteps");
        NumTrainTimesteps = numTrainTimesteps;
        using var scope = NewDisposeScope();
        Tensor betas;
        if (trainedBetas is not null)
        {
            if (trainedBetas.Count != numTrainTimesteps)
                throw new InputDataException(source, $"has {trainedBetas.Count} values but num_train_timesteps is {numTrainTimesteps}.", "trained_betas");
            betas = tensor(trainedBetas.ToArray(), ScalarType.Float32);
        }
        else
        {
            betas = betaSchedule switch
            {
                "linear" => linspace(betaStart, betaEnd, numTrainTimesteps, ScalarType.Float32),
                "scaled_linear" => linspace(Math.Sqrt(betaStart), Math.Sqrt(betaEnd), numTrainTimesteps, ScalarType.Float32).pow(2),
                "squaredcos_cap_v2" => tensor(SquaredCosineBetas(numTrainTimesteps), ScalarType.Float32),
                "sigmoid" when allowSigmoid => linspace(-6, 6, numTrainTimesteps, ScalarType.Float32).sigmoid() * (betaEnd - betaStart) + betaStart,
                _ => throw new InputDataException(source,
                    $"'{betaSchedule}' is not a beta schedule this scheduler knows; use linear, scaled_linear or squaredcos_cap_v2{(allowSigmoid ? " or sigmoid" : "")}.",
                    "beta_schedule"),
            };
        }
        if (rescaleZeroTerminalSnr) betas = RescaleZeroTerminalSnr(betas);
        var alphas = 1.0 - betas;
        var alphasCumprod = alphas.cumprod(0);
        Betas = betas.DetachFromDisposeScope();
        AlphasCumprod = alphasCumprod.DetachFromDisposeScope();
        AlphasCumprodValues = AlphasCumprod.data<float>().Select(v => (double)v).ToArray();
    }

    public int NumTrainTimesteps { get; }

    /// <summary>[T] float32 on the CPU.</summary>
    public Tensor Betas { get; }

    /// <summary>[T] float32 on the CPU: alpha-bar_t.</summary>
    public Tensor AlphasCumprod { get; }

    /// <summary>The float32 alpha-bar values, widened to double for scalar coefficient arithmetic.</summary>
    public IReadOnlyList<double> AlphasCumprodValues { get; }

    /// <summary><c>sqrt(abar_t) * x0 + sqrt(1 - abar_t) * noise</c> per batch item.</summary>
    /// <param name="timesteps">[B] integer training timesteps.</param>
    public Tensor AddNoise(Tensor originalSamples, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var (sqrtAlpha, sqrtOneMinusAlpha) = Coefficients(originalSamples, timesteps);
        return (sqrtAlpha * originalSamples + sqrtOneMinusAlpha * noise).MoveToOuterDisposeScope();
    }

    /// <summary>The v-prediction target <c>sqrt(abar_t) * noise - sqrt(1 - abar_t) * x0</c>.</summary>
    public Tensor GetVelocity(Tensor sample, Tensor noise, Tensor timesteps)
    {
        using var scope = NewDisposeScope();
        var (sqrtAlpha, sqrtOneMinusAlpha) = Coefficients(sample, timesteps);
        return (sqrtAlpha * noise - sqrtOneMinusAlpha * sample).MoveToOuterDisposeScope();
    }

    private (Tensor SqrtAlpha, Tensor SqrtOneMinusAlpha) Coefficients(Tensor like, Tensor timesteps)
    {
        var ac = AlphasCumprod.to(like.dtype, like.device);
        var selected = ac[timesteps.to(like.device).to_type(ScalarType.Int64)];
        var sqrtAlpha = selected.pow(0.5).flatten();
        var sqrtOneMinus = (1 - selected).pow(0.5).flatten();
        while (sqrtAlpha.dim() < like.dim())
        {
            sqrtAlpha = sqrtAlpha.unsqueeze(-1);
            sqrtOneMinus = sqrtOneMinus.unsqueeze(-1);
        }
        return (sqrtAlpha, sqrtOneMinus);
    }

    /// <summary>diffusers' <c>betas_for_alpha_bar</c> with the cosine transform and max beta 0.999.</summary>
    private static double[] SquaredCosineBetas(int n)
    {
        static double AlphaBar(double t) => Math.Pow(Math.Cos((t + 0.008) / 1.008 * Math.PI / 2), 2);
        var betas = new double[n];
        for (int i = 0; i < n; i++)
            betas[i] = Math.Min(1 - AlphaBar((i + 1) / (double)n) / AlphaBar(i / (double)n), 0.999);
        return betas;
    }

    /// <summary>Lin et al. (2023): rescales betas so the last timestep has zero signal-to-noise ratio.</summary>
    private static Tensor RescaleZeroTerminalSnr(Tensor betas)
    {
        var alphasBarSqrt = (1.0 - betas).cumprod(0).sqrt();
        var first = alphasBarSqrt[0].clone();
        var last = alphasBarSqrt[-1].clone();
        alphasBarSqrt = (alphasBarSqrt - last) * (first / (first - last));
        var alphasBar = alphasBarSqrt.pow(2);
        long n = alphasBar.shape[0];
        var alphas = cat([alphasBar.narrow(0, 0, 1), alphasBar.narrow(0, 1, n - 1) / alphasBar.narrow(0, 0, n - 1)]);
        return 1 - alphas;
    }

    public void Dispose()
    {
        Betas.Dispose();
        AlphasCumprod.Dispose();
    }
}
