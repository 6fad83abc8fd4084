using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>
/// Streams feature batches into a mean and covariance without keeping the features: float64 sums of the vectors
/// and of their outer products, taken about a shift (the first batch's mean) so the covariance does not lose its
/// digits to the mean when features sit far from zero.
/// </summary>
public sealed class FeatureStatisticsAccumulator : IDisposable
{
    private Tensor? _shift;
    private Tensor? _sum;
    private Tensor? _outer;

    public FeatureStatisticsAccumulator(int dimension, string features)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Dimension = dimension;
        Features = features;
    }

    public int Dimension { get; }
    public string Features { get; }
    public long Count { get; private set; }

    /// <summary>Adds a [n, d] batch of features (any float type, any device).</summary>
    public void Add(Tensor batch)
    {
        if (batch.dim() != 2 || batch.shape[1] != Dimension)
            throw new ArgumentException($"expected features [n, {Dimension}], got [{string.Join(", ", batch.shape)}].", nameof(batch));
        if (batch.shape[0] == 0) return;
        LibTorchRuntime.EnsureLoadable();
        using var scope = torch.NewDisposeScope();
        var x = batch.detach().to(ScalarType.Float64).cpu();
        if (!x.isfinite().all().item<bool>()) throw new ArgumentException("the features contain non-finite values.", nameof(batch));
        // The running state outlives any dispose scope the caller has open, so it is detached, not moved out.
        _shift ??= x.mean([0]).DetachFromDisposeScope();
        var centred = x - _shift;
        var sum = centred.sum([0L]);
        var outer = centred.t().matmul(centred);
        _sum = _sum is null ? sum.DetachFromDisposeScope() : Replace(_sum, _sum + sum);
        _outer = _outer is null ? outer.DetachFromDisposeScope() : Replace(_outer, _outer + outer);
        Count += batch.shape[0];
    }

    public void Add(IReadOnlyList<float[]> vectors)
    {
        if (vectors.Count == 0) return;
        var flat = new float[vectors.Count * Dimension];
        for (int i = 0; i < vectors.Count; i++)
        {
            if (vectors[i].Length != Dimension)
                throw new ArgumentException($"vector {i} has {vectors[i].Length} values, expected {Dimension}.", nameof(vectors));
            vectors[i].CopyTo(flat, i * Dimension);
        }
        LibTorchRuntime.EnsureLoadable();
        using var t = torch.tensor(flat, [vectors.Count, Dimension]);
        Add(t);
    }

    /// <summary>The statistics so far; needs at least two vectors for a covariance.</summary>
    public GaussianStatistics Build()
    {
        if (Count < 2) throw new InvalidOperationException($"a covariance needs at least 2 feature vectors, got {Count}.");
        using var scope = torch.NewDisposeScope();
        var centredMean = _sum! / Count;
        var covariance = (_outer! - centredMean.outer(centredMean) * Count) / (Count - 1);
        var mean = centredMean + _shift!;
        return new GaussianStatistics(DenseMatrix.VectorFromTensor(mean), DenseMatrix.FromTensor(covariance), Count, Features);
    }

    public void Dispose()
    {
        _shift?.Dispose();
        _sum?.Dispose();
        _outer?.Dispose();
    }

    private static Tensor Replace(Tensor old, Tensor updated)
    {
        var kept = updated.DetachFromDisposeScope();
        old.Dispose();
        return kept;
    }
}
