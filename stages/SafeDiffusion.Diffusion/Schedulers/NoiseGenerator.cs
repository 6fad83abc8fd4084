using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// Where Gaussian noise comes from, as diffusers' <c>randn_tensor</c>: one <see cref="Generator"/> for the whole
/// batch, or one per batch item (each item then draws a [1, ...] tensor from its own generator, so an image's noise
/// does not depend on the batch it runs in). Noise is drawn on the generator's device and then moved, so a CPU
/// generator gives the same numbers whatever device the model runs on. The generators stay owned by the caller.
/// </summary>
public sealed class NoiseGenerator
{
    private readonly Generator? _single;
    private readonly IReadOnlyList<Generator>? _perItem;

    public NoiseGenerator(Generator generator) => _single = generator;

    public NoiseGenerator(IReadOnlyList<Generator> perItem)
    {
        if (perItem.Count == 0) throw new ArgumentException("needs at least one generator.", nameof(perItem));
        // diffusers treats a list of one generator as that generator.
        if (perItem.Count == 1) _single = perItem[0];
        else _perItem = perItem;
    }

    public static implicit operator NoiseGenerator(Generator generator) => new(generator);

    /// <summary>Standard normal noise of <paramref name="shape"/>; with per-item generators shape[0] must match their count.</summary>
    public Tensor Randn(long[] shape, ScalarType dtype, Device device)
    {
        if (_single is not null)
        {
            var drawn = randn(shape, dtype, _single.device, generator: _single);
            return drawn.device == device ? drawn : MoveAndDispose(drawn, device);
        }
        if (shape.Length == 0 || shape[0] != _perItem!.Count)
            throw new ArgumentException($"{_perItem!.Count} per-item generators cannot fill a batch of shape [{string.Join(", ", shape)}].");
        using var scope = NewDisposeScope();
        var itemShape = (long[])shape.Clone();
        itemShape[0] = 1;
        var items = _perItem.Select(g => randn(itemShape, dtype, g.device, generator: g).to(device)).ToList();
        return cat(items, dim: 0).MoveToOuterDisposeScope();
    }

    /// <summary>Noise from <paramref name="generator"/>, or from the global generator when it is null (as diffusers).</summary>
    public static Tensor Randn(NoiseGenerator? generator, long[] shape, ScalarType dtype, Device device) =>
        generator?.Randn(shape, dtype, device) ?? randn(shape, dtype, device);

    private static Tensor MoveAndDispose(Tensor t, Device device)
    {
        using (t) return t.to(device);
    }
}
