namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// The descending integer timestep grids DDIM and DDPM share (diffusers 0.21): <c>leading</c> multiples of
/// T // n plus the offset, <c>trailing</c> rounded multiples of T / n counted down from T, minus one, and
/// <c>linspace</c> rounded evenly spaced points over [0, T - 1].
/// </summary>
internal static class DiscreteTimesteps
{
    public static double[] Descending(string spacing, int numTrainTimesteps, int n, int stepsOffset)
    {
        int T = numTrainTimesteps;
        return spacing switch
        {
            "linspace" => NumpyMath.Round(NumpyMath.Linspace(0, T - 1, n)).Reverse().ToArray(),
            "leading" => Enumerable.Range(0, n).Reverse().Select(i => (double)((long)i * (T / n) + stepsOffset)).ToArray(),
            _ => NumpyMath.Round(NumpyMath.Arange(T, 0, -(double)T / n)).Select(v => v - 1).ToArray(),
        };
    }
}
