using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Evaluation.Features;
using TorchSharp;

namespace SafeDiffusion.Evaluation.Tests.Features;

public class KernelInceptionDistanceTests
{
    public KernelInceptionDistanceTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void The_estimate_is_the_unbiased_mmd_squared_of_the_cubic_kernel_written_out_pair_by_pair()
    {
        var random = new Random(5);
        var x = Gaussian(random, 7, 3, shift: 0.0);
        var y = Gaussian(random, 9, 3, shift: 0.5);

        // Bińkowski et al. (2018), eq. for the unbiased MMD² with k(a, b) = (a·b / d + 1)^3, summed naively.
        static double K(double[] a, double[] b) => Math.Pow(a.Zip(b, (p, q) => p * q).Sum() / a.Length + 1, 3);
        double xx = 0, yy = 0, xy = 0;
        for (int i = 0; i < x.Length; i++) for (int j = 0; j < x.Length; j++) if (i != j) xx += K(x[i], x[j]);
        for (int i = 0; i < y.Length; i++) for (int j = 0; j < y.Length; j++) if (i != j) yy += K(y[i], y[j]);
        foreach (var a in x) foreach (var b in y) xy += K(a, b);
        double expected = xx / (7 * 6) + yy / (9 * 8) - 2 * xy / (7 * 9);

        using var tx = Tensor(x);
        using var ty = Tensor(y);
        var kid = KernelInceptionDistance.Compute(tx, ty);
        Assert.Equal(expected, kid.Value, 1e-10);
        Assert.Equal((7, 9), (kid.GeneratedCount, kid.ReferenceCount));
    }

    [Fact]
    public void Samples_of_one_distribution_sit_within_a_few_standard_errors_of_zero_and_shifted_ones_far_above()
    {
        var random = new Random(11);
        using var reference = Tensor(Gaussian(random, 300, 8, shift: 0.0));
        using var same = Tensor(Gaussian(random, 200, 8, shift: 0.0));
        using var shifted = Tensor(Gaussian(random, 200, 8, shift: 0.5));

        var alike = KernelInceptionDistance.Compute(same, reference);
        var apart = KernelInceptionDistance.Compute(shifted, reference);

        Assert.True(Math.Abs(alike.Value) < 3 * alike.StandardError, $"KID {alike.Value} with SE {alike.StandardError}");
        Assert.True(apart.Value > 5 * apart.StandardError, $"KID {apart.Value} with SE {apart.StandardError}");
    }

    [Fact]
    public void The_standard_error_matches_the_spread_of_the_estimate_over_repeated_draws()
    {
        var random = new Random(23);
        var estimates = new List<double>();
        var errors = new List<double>();
        for (int rep = 0; rep < 300; rep++)
        {
            using var x = Tensor(Gaussian(random, 60, 4, shift: 0.4));
            using var y = Tensor(Gaussian(random, 80, 4, shift: 0.0));
            var kid = KernelInceptionDistance.Compute(x, y);
            estimates.Add(kid.Value);
            errors.Add(kid.StandardError);
        }
        double mean = estimates.Average();
        double spread = Math.Sqrt(estimates.Sum(e => (e - mean) * (e - mean)) / (estimates.Count - 1));
        double stated = errors.Average();
        // First-order standard errors run slightly low at small samples; within a fifth is what the delta method promises here.
        Assert.InRange(stated / spread, 0.8, 1.2);
    }

    [Fact]
    public void Fewer_than_two_vectors_or_unequal_dimensions_are_refused()
    {
        var random = new Random(1);
        using var one = Tensor(Gaussian(random, 1, 3, 0));
        using var three = Tensor(Gaussian(random, 3, 3, 0));
        using var wide = Tensor(Gaussian(random, 3, 4, 0));
        Assert.Throws<ArgumentException>(() => KernelInceptionDistance.Compute(one, three));
        Assert.Throws<ArgumentException>(() => KernelInceptionDistance.Compute(three, wide));
    }

    private static double[][] Gaussian(Random random, int count, int dimension, double shift) =>
        Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, dimension)
            .Select(_ => shift + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray()).ToArray();

    private static torch.Tensor Tensor(double[][] rows) =>
        torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length], torch.ScalarType.Float64);
}
