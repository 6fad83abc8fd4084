using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Training.Objectives;
using static SafeDiffusion.Training.Tests.Objectives.TinySchedule;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Objectives;

/// <summary>
/// The objective on [B, 1, 1, 2] latents against the formulas of method.md worked out by hand (alpha-bar 0.9 at
/// t = 0 and 0.63 at t = 1, see <see cref="TinySchedule"/>).
/// </summary>
public sealed class SafetyObjectiveTests : IDisposable
{
    private readonly NoiseSchedule _schedule;

    public SafetyObjectiveTests()
    {
        LibTorchRuntime.EnsureLoadable();
        _schedule = TinySchedule.Create();
    }

    public void Dispose() => _schedule.Dispose();

    private SafetyObjective Objective(SafetyMethod method, PredictionType prediction = PredictionType.Epsilon, bool gradient = true,
        double lambda = 0.1, double shift = 1) =>
        new(new ObjectiveSettings { Method = method, Lambda = lambda, LambdaC = 1, Margin = 0, Shift = shift, Offset = 1, ContrastGradient = gradient },
            _schedule, prediction);

    private static Tensor Steps(params long[] t) => tensor(t);

    [Fact]
    public void LT_maps_clean_latents_to_minus_z_minus_s_and_harmful_ones_to_z_plus_s()
    {
        using var scope = NewDisposeScope();
        var z0 = Rows([1, -2], [1, -2]);

        var z = Objective(SafetyMethod.Lt, shift: 100).Transform(z0, [false, true]);

        Near([-101, -98], Row(z, 0));
        Near([101, 98], Row(z, 1));
    }

    [Theory]
    [InlineData(SafetyMethod.Ng)]
    [InlineData(SafetyMethod.HighSafety)]
    public void Only_LT_transforms_the_latents(SafetyMethod method)
    {
        using var scope = NewDisposeScope();
        var z = Objective(method, shift: 100).Transform(Rows([1, -2]), [false]);
        Near([1, -2], Row(z, 0));
    }

    [Fact]
    public void NG_corrupts_clean_rows_with_e_plus_o_and_harmful_rows_with_e_minus_o_and_targets_the_plain_noise()
    {
        using var scope = NewDisposeScope();
        double[] z0 = [0.5, -1], e = [0.2, 0.4];
        double a = AlphaBar[1];

        var noised = Objective(SafetyMethod.Ng).AddNoise(Rows(z0, z0), Rows(e, e), Steps(1, 1), [false, true]);

        Near(z0.Zip(e, (z, n) => Math.Sqrt(a) * z + Math.Sqrt(1 - a) * (n + 1)).ToArray(), Row(noised.Noisy, 0));
        Near(z0.Zip(e, (z, n) => Math.Sqrt(a) * z + Math.Sqrt(1 - a) * (n - 1)).ToArray(), Row(noised.Noisy, 1));
        Near(e, Row(noised.Target, 0));
        Near(e, Row(noised.Target, 1));
    }

    [Fact]
    public void LT_corrupts_with_the_plain_noise()
    {
        using var scope = NewDisposeScope();
        double[] z0 = [0.5, -1], e = [0.2, 0.4];
        double a = AlphaBar[0];

        var noised = Objective(SafetyMethod.Lt).AddNoise(Rows(z0, z0), Rows(e, e), Steps(0, 0), [false, true]);

        var expected = z0.Zip(e, (z, n) => Math.Sqrt(a) * z + Math.Sqrt(1 - a) * n).ToArray();
        Near(expected, Row(noised.Noisy, 0));
        Near(expected, Row(noised.Noisy, 1));
    }

    [Theory]
    [InlineData(SafetyMethod.Ng)]
    [InlineData(SafetyMethod.Plain)]
    public void V_prediction_models_target_the_velocity_of_the_plain_noise(SafetyMethod method)
    {
        using var scope = NewDisposeScope();
        double[] z0 = [0.5, -1], e = [0.2, 0.4];
        double a = AlphaBar[1];

        var noised = Objective(method, PredictionType.VPrediction).AddNoise(Rows(z0, z0), Rows(e, e), Steps(1, 1), [false, true]);

        // get_velocity: sqrt(abar) e - sqrt(1 - abar) z0, from e itself even where NG shifts the corruption.
        var velocity = z0.Zip(e, (z, n) => Math.Sqrt(a) * n - Math.Sqrt(1 - a) * z).ToArray();
        Near(velocity, Row(noised.Target, 0));
        Near(velocity, Row(noised.Target, 1));
    }

    [Fact]
    public void The_predicted_clean_latent_inverts_the_forward_process_for_epsilon_and_v_models()
    {
        using var scope = NewDisposeScope();
        double[] zt = [1, 2], p = [0.5, -0.5];
        double a = AlphaBar[1];

        var fromEpsilon = Objective(SafetyMethod.Lt).PredictedCleanLatents(Rows(zt), Rows(p), Steps(1));
        var fromV = Objective(SafetyMethod.Lt, PredictionType.VPrediction).PredictedCleanLatents(Rows(zt), Rows(p), Steps(1));

        Near(zt.Zip(p, (x, q) => (x - Math.Sqrt(1 - a) * q) / Math.Sqrt(a)).ToArray(), Row(fromEpsilon, 0));
        Near(zt.Zip(p, (x, q) => Math.Sqrt(a) * x - Math.Sqrt(1 - a) * q).ToArray(), Row(fromV, 0));
    }

    [Fact]
    public void LT_loss_is_the_clean_rows_mse_plus_lambda_times_L_c_against_centres_that_already_hold_the_batch()
    {
        using var scope = NewDisposeScope();
        double[] zt0 = [1, 2], zt1 = [-1, 0.5], p0 = [0.5, -0.5], p1 = [0.2, 0.1], target0 = [0.4, -0.4], target1 = [0, 0];
        double[] c1 = [0.1, 0.2], c2 = [0.3, 0.4];
        const double lambda = 0.1, s = 1;
        using var centres = new ClassCentres(tensor(c1.Select(v => (float)v).ToArray()).reshape(1, 1, 2),
            tensor(c2.Select(v => (float)v).ToArray()).reshape(1, 1, 2));

        var result = Objective(SafetyMethod.Lt, lambda: lambda, shift: s).Compute(
            Rows(p0, p1), new NoisedLatents(Rows(zt0, zt1), Rows(target0, target1)), Steps(0, 1), [false, true], centres);

        // By hand: z0_hat per row, LT transform, centres moved to (c + z) / 2, then the four distances.
        double[] Z0(double[] zt, double[] p, double a) => zt.Zip(p, (x, q) => (x - Math.Sqrt(1 - a) * q) / Math.Sqrt(a)).ToArray();
        var zClean = Z0(zt0, p0, AlphaBar[0]).Select(v => -v - s).ToArray();
        var zHarmful = Z0(zt1, p1, AlphaBar[1]).Select(v => v + s).ToArray();
        var c1Moved = c1.Zip(zClean, (c, z) => (c + z) / 2).ToArray();
        var c2Moved = c2.Zip(zHarmful, (c, z) => (c + z) / 2).ToArray();
        double contrast = Distance(zClean, c1Moved) - Math.Max(0, Distance(zClean, c2Moved))
                          + Distance(zHarmful, c2Moved) - Math.Max(0, Distance(zHarmful, c1Moved));
        double mseClean = p0.Zip(target0, (q, t) => (q - t) * (q - t)).Average();
        double mseHarmful = p1.Zip(target1, (q, t) => (q - t) * (q - t)).Average();

        Near([mseClean / 2 + lambda * contrast], [result.Loss.item<float>()], 1e-5);
        Near([contrast], [result.Contrast], 1e-5);
        Near([(mseClean + mseHarmful) / 2], [result.Mse], 1e-6);
        Near([(Distance(zClean, c1Moved) + Distance(zHarmful, c2Moved)) / 2], [result.DistanceOwn], 1e-5);
        Near([(Distance(zClean, c2Moved) + Distance(zHarmful, c1Moved)) / 2], [result.DistanceOther], 1e-5);
        Near(c1Moved, centres.Clean.flatten().data<double>().ToArray(), 1e-6);
        Near(c2Moved, centres.Harmful.flatten().data<double>().ToArray(), 1e-6);
        Assert.Equal(2, centres.CleanCount);
        Assert.Equal(2, centres.HarmfulCount);
    }

    [Fact]
    public void L_c_carries_gradient_to_the_prediction_when_on_and_none_when_off()
    {
        // One harmful row under LT: the loss has no L_mse term, so any gradient comes through L_c.
        double[] zt = [1, 2], p = [0.5, -0.5], c1 = [0.1, 0.2], c2 = [0.3, 0.4];
        const double lambda = 0.1, s = 1;
        double a = AlphaBar[1];

        double[] GradientWith(bool contrastGradient)
        {
            using var scope = NewDisposeScope();
            using var centres = new ClassCentres(tensor(c1.Select(v => (float)v).ToArray()).reshape(1, 1, 2),
                tensor(c2.Select(v => (float)v).ToArray()).reshape(1, 1, 2));
            var prediction = Rows(p).requires_grad_(true);
            var result = Objective(SafetyMethod.Lt, gradient: contrastGradient, lambda: lambda, shift: s).Compute(
                prediction, new NoisedLatents(Rows(zt), Rows([0, 0])), Steps(1), [true], centres);
            result.Loss.backward();
            return Row(prediction.grad!, 0);
        }

        // dL/dz = lambda * [(z - c2') / |z - c2'| - lambda_c (z - c1) / |z - c1|], c2' = (c2 + z) / 2, c1 untouched;
        // dz/dp = -sqrt(1 - abar) / sqrt(abar).
        var z = zt.Zip(p, (x, q) => (x - Math.Sqrt(1 - a) * q) / Math.Sqrt(a) + s).ToArray();
        var c2Moved = c2.Zip(z, (c, v) => (c + v) / 2).ToArray();
        double dOwn = Distance(z, c2Moved), dOther = Distance(z, c1);
        double dzdp = -Math.Sqrt(1 - a) / Math.Sqrt(a);
        var expected = Enumerable.Range(0, 2)
            .Select(i => lambda * ((z[i] - c2Moved[i]) / dOwn - (z[i] - c1[i]) / dOther) * dzdp).ToArray();

        var on = GradientWith(true);
        var off = GradientWith(false);

        Assert.Contains(on, g => Math.Abs(g) > 1e-4);
        Near(expected, on, 1e-4);
        Assert.All(off, g => Assert.Equal(0.0, g));
    }

    [Fact]
    public void High_safety_descends_on_clean_rows_and_ascends_half_as_fast_on_harmful_rows()
    {
        using var scope = NewDisposeScope();
        double[] p0 = [0.5, -0.5], p1 = [0.2, 0.1], target0 = [0.4, -0.4], target1 = [-0.3, 0.3];
        using var centres = ClassCentres.Random([1, 1, 2], 1, CPU);
        var prediction = Rows(p0, p1).requires_grad_(true);

        var result = Objective(SafetyMethod.HighSafety, gradient: false).Compute(
            prediction, new NoisedLatents(Rows([1, 2], [1, 2]), Rows(target0, target1)), Steps(0, 1), [false, true], centres);
        result.Loss.backward();

        // loss = (1/B)(m_clean - 0.5 m_harmful) + constant, m = mean over 2 elements of (p - t)^2, B = 2:
        // d/dp = 2 (p - t) / 2 / 2 for the clean row and -0.5 times that for the harmful row.
        Near(p0.Zip(target0, (q, t) => (q - t) / 2).ToArray(), Row(prediction.grad!, 0));
        Near(p1.Zip(target1, (q, t) => -0.5 * (q - t) / 2).ToArray(), Row(prediction.grad!, 1));
    }

    [Fact]
    public void High_safety_leaves_clean_rows_to_L_mse_alone_even_with_contrast_gradients_on()
    {
        using var scope = NewDisposeScope();
        double[] p = [0.5, -0.5], target = [0.4, -0.4];
        using var centres = ClassCentres.Random([1, 1, 2], 1, CPU);
        var prediction = Rows(p).requires_grad_(true);

        var result = Objective(SafetyMethod.HighSafety, gradient: true, lambda: 10).Compute(
            prediction, new NoisedLatents(Rows([1, 2]), Rows(target)), Steps(0), [false], centres);
        result.Loss.backward();

        Near(p.Zip(target, (q, t) => q - t).ToArray(), Row(prediction.grad!, 0));
    }

    [Fact]
    public void Plain_fine_tuning_is_the_mean_squared_error_over_every_row()
    {
        using var scope = NewDisposeScope();
        double[] p0 = [0.5, -0.5], p1 = [0.2, 0.1], target0 = [0.4, -0.4], target1 = [-0.3, 0.3];

        var result = Objective(SafetyMethod.Plain).Compute(
            Rows(p0, p1), new NoisedLatents(Rows([1, 2], [1, 2]), Rows(target0, target1)), Steps(0, 1), [false, true], null);

        double expected = p0.Zip(target0, (q, t) => (q - t) * (q - t)).Concat(p1.Zip(target1, (q, t) => (q - t) * (q - t))).Average();
        Near([expected], [result.Loss.item<float>()], 1e-6);
        Assert.Equal(0, result.Contrast);
    }
}
