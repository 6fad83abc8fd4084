namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// The few NumPy routines diffusers builds timestep grids with, reproduced to the last bit that matters:
/// <c>linspace</c> (i * step + start, last element exactly stop), float <c>arange</c> (start + i * step),
/// <c>round</c> (half to even, as <see cref="Math.Round(double)"/>), <c>interp</c>.
/// </summary>
internal static class NumpyMath
{
    public static double[] Linspace(double start, double stop, int num)
    {
        if (num <= 0) return [];
        if (num == 1) return [start];
        double step = (stop - start) / (num - 1);
        var y = new double[num];
        for (int i = 0; i < num; i++) y[i] = i * step + start;
        y[^1] = stop;
        return y;
    }

    public static double[] Arange(double start, double stop, double step)
    {
        int length = (int)Math.Max(0, Math.Ceiling((stop - start) / step));
        var y = new double[length];
        for (int i = 0; i < length; i++) y[i] = start + i * step;
        return y;
    }

    public static double[] Round(IEnumerable<double> values) => values.Select(v => Math.Round(v, MidpointRounding.ToEven)).ToArray();

    /// <summary><c>np.interp(x, arange(len(fp)), fp)</c>.</summary>
    public static double Interp(double x, IReadOnlyList<double> fp)
    {
        if (x <= 0) return fp[0];
        int last = fp.Count - 1;
        if (x >= last) return fp[last];
        int j = (int)Math.Floor(x);
        double slope = fp[j + 1] - fp[j];
        return slope * (x - j) + fp[j];
    }

    /// <summary>Values with duplicates removed, keeping each value's first position (<c>np.unique(..., return_index)</c> + sort).</summary>
    public static double[] UniqueInOrder(IEnumerable<double> values)
    {
        var seen = new HashSet<double>();
        return values.Where(seen.Add).ToArray();
    }

    /// <summary>Karras et al. (2022) sigmas between the first and last of <paramref name="sigmas"/>, rho = 7.</summary>
    public static double[] KarrasSigmas(IReadOnlyList<double> sigmas, int steps)
    {
        const double rho = 7.0;
        double sigmaMin = sigmas[^1], sigmaMax = sigmas[0];
        double minInvRho = Math.Pow(sigmaMin, 1 / rho), maxInvRho = Math.Pow(sigmaMax, 1 / rho);
        return Linspace(0, 1, steps).Select(r => Math.Pow(maxInvRho + r * (minInvRho - maxInvRho), rho)).ToArray();
    }

    /// <summary>diffusers' <c>_sigma_to_t</c>: the fractional training timestep whose sigma is <paramref name="sigma"/>.</summary>
    public static double SigmaToT(double sigma, IReadOnlyList<double> logSigmas)
    {
        double logSigma = Math.Log(sigma);
        // cumsum(dists >= 0).argmax(): the last index whose log-sigma is <= log_sigma (0 when none).
        int count = 0, lowIdx = 0, best = -1;
        for (int i = 0; i < logSigmas.Count; i++)
        {
            if (logSigma - logSigmas[i] >= 0) count++;
            if (count > best) { best = count; lowIdx = i; }
        }
        lowIdx = Math.Min(lowIdx, logSigmas.Count - 2);
        int highIdx = lowIdx + 1;
        double low = logSigmas[lowIdx], high = logSigmas[highIdx];
        double w = Math.Clamp((low - logSigma) / (low - high), 0, 1);
        return (1 - w) * lowIdx + w * highIdx;
    }
}
