using SafeDiffusion.Diffusion.Schedulers;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Objectives;

/// <summary>
/// A two-step linear schedule whose numbers are easy to follow by hand: betas 0.1 and 0.3, so alpha-bar is 0.9 at
/// t = 0 and 0.9 * 0.7 = 0.63 at t = 1. Latents in these tests are [B, 1, 1, 2].
/// </summary>
internal static class TinySchedule
{
    public static readonly double[] AlphaBar = [0.9, 0.63];

    public static NoiseSchedule Create() => new(2, 0.1, 0.3, "linear", null, false, "test schedule");

    public static Tensor Rows(params double[][] rows) =>
        tensor(rows.SelectMany(r => r.Select(v => (float)v)).ToArray(), [rows.Length, 1, 1, rows[0].Length]);

    public static double[] Row(Tensor t, int row) => t[row].flatten().data<float>().Select(v => (double)v).ToArray();

    public static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());

    public static void Near(double[] expected, double[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
