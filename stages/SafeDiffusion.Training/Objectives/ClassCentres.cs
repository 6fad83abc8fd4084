using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Objectives;

/// <summary>
/// One running centre per class of the (transformed) predicted clean latents, as the public code keeps them: each
/// starts as a uniform random tensor in [0, 1) with a count of 1; a batch's rows of a class move that centre to
/// <c>(c * n + sum of the rows) / (n + k)</c> and add k to its count. Centres are kept across epochs; counts go back
/// to 1 at the start of each epoch (<see cref="ResetCounts"/>), so each epoch's mean starts from the last one's centre.
/// Centres are float64, as the numpy arrays of the public code are; they never carry gradients.
/// </summary>
public sealed class ClassCentres : IDisposable
{
    /// <summary>Takes ownership of copies of the two [C, H, W] centres.</summary>
    public ClassCentres(Tensor clean, Tensor harmful, double cleanCount = 1, double harmfulCount = 1)
    {
        if (!clean.shape.SequenceEqual(harmful.shape))
            throw new ArgumentException($"the centres differ in shape: [{string.Join(", ", clean.shape)}] and [{string.Join(", ", harmful.shape)}].");
        Clean = clean.detach().to(ScalarType.Float64).clone().DetachFromDisposeScope();
        Harmful = harmful.detach().to(ScalarType.Float64, Clean.device).clone().DetachFromDisposeScope();
        CleanCount = cleanCount;
        HarmfulCount = harmfulCount;
    }

    /// <summary>Uniform [0, 1) centres of <paramref name="shape"/> drawn from a CPU generator seeded with <paramref name="seed"/>, counts 1.</summary>
    public static ClassCentres Random(long[] shape, long seed, Device device)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        var clean = rand(shape, ScalarType.Float64, generator: generator);
        var harmful = rand(shape, ScalarType.Float64, generator: generator);
        return new ClassCentres(clean.to(device), harmful.to(device));
    }

    /// <summary>[C, H, W] float64: the clean class's centre.</summary>
    public Tensor Clean { get; private set; }

    /// <summary>[C, H, W] float64: the harmful class's centre.</summary>
    public Tensor Harmful { get; private set; }

    public double CleanCount { get; private set; }
    public double HarmfulCount { get; private set; }

    public long[] Shape => Clean.shape;

    /// <summary>Moves each class's centre towards its rows of <paramref name="latents"/> ([B, C, H, W]) and counts them.</summary>
    public void Update(Tensor latents, IReadOnlyList<bool> harmful)
    {
        if (latents.shape[0] != harmful.Count)
            throw new ArgumentException($"{harmful.Count} labels for a batch of {latents.shape[0]}.", nameof(harmful));
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var values = latents.detach().to(ScalarType.Float64, Clean.device);
        for (int i = 0; i < 2; i++)
        {
            bool harmfulClass = i == 1;
            var rows = Enumerable.Range(0, harmful.Count).Where(r => harmful[r] == harmfulClass).Select(r => (long)r).ToArray();
            if (rows.Length == 0) continue;
            var sum = values.index_select(0, tensor(rows, device: Clean.device)).sum(dim: 0);
            double count = harmfulClass ? HarmfulCount : CleanCount;
            var centre = harmfulClass ? Harmful : Clean;
            var moved = ((centre * count + sum) / (count + rows.Length)).DetachFromDisposeScope();
            centre.Dispose();
            if (harmfulClass)
            {
                Harmful = moved;
                HarmfulCount = count + rows.Length;
            }
            else
            {
                Clean = moved;
                CleanCount = count + rows.Length;
            }
        }
    }

    /// <summary>Start of an epoch: counts back to 1, centres kept.</summary>
    public void ResetCounts()
    {
        CleanCount = 1;
        HarmfulCount = 1;
    }

    /// <summary>Euclidean distance between the two centres.</summary>
    public double Distance()
    {
        using var scope = NewDisposeScope();
        return (Clean - Harmful).pow(2).sum().sqrt().item<double>();
    }

    /// <summary>The centres' norms and components along the all-ones direction (see <see cref="CentreGeometry"/>).</summary>
    public CentreGeometry Geometry()
    {
        using var scope = NewDisposeScope();
        double rootD = Math.Sqrt(Clean.numel());
        var gap = Harmful - Clean;
        double gapSquared = gap.pow(2).sum().item<double>();
        double gapOnes = gap.sum().item<double>() / rootD;
        return new CentreGeometry(
            Clean.pow(2).sum().sqrt().item<double>(), Clean.sum().item<double>() / rootD,
            Harmful.pow(2).sum().sqrt().item<double>(), Harmful.sum().item<double>() / rootD,
            gapSquared > 0 ? gapOnes * gapOnes / gapSquared : 0);
    }

    public void Dispose()
    {
        Clean.Dispose();
        Harmful.Dispose();
    }
}
