namespace SafeDiffusion.TinyWorld.Optimization;

/// <summary><see cref="Muon"/>'s hyper-parameters; the defaults are those of Jordan's reference implementation.</summary>
public sealed record MuonSettings
{
    public double Momentum { get; init; } = 0.95;
    public bool Nesterov { get; init; } = true;
    public int NewtonSchulzSteps { get; init; } = 5;
    public double WeightDecay { get; init; } = 1e-2;

    /// <summary>
    /// Whether a parameter belongs with Muon: a matrix or kernel inside the network. Vectors (biases, norm gains) and
    /// the parameters under <paramref name="adamWPrefixes"/> go to AdamW: the network's first and last layers, whose
    /// shapes are set by the data rather than by the model, and embedding tables (a row per token or position, not a
    /// linear map), as in the reference.
    /// </summary>
    public static bool Accepts(string name, long dimensions, IEnumerable<string> adamWPrefixes) =>
        dimensions >= 2 && !adamWPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
}
