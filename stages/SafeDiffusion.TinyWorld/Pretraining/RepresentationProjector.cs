using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// The training-only head of representation alignment (REPA, Yu et al., 2024): a per-cell MLP (1x1 convolutions)
/// from the UNet's hidden state where its down path ends to the scene classifier's cell features of the clean image.
/// Its loss, one minus the cosine similarity per cell, asks the UNet to know what is where in the scene it is
/// denoising, from any noise level; the head itself is dropped after pretraining.
/// </summary>
public sealed class RepresentationProjector : nn.Module<Tensor, Tensor>
{
    private readonly Sequential mlp;

    public RepresentationProjector(long inChannels, long hiddenChannels, long outChannels) : base(nameof(RepresentationProjector))
    {
        InChannels = inChannels;
        HiddenChannels = hiddenChannels;
        OutChannels = outChannels;
        mlp = nn.Sequential(
            nn.Conv2d(inChannels, hiddenChannels, 1), nn.SiLU(),
            nn.Conv2d(hiddenChannels, hiddenChannels, 1), nn.SiLU(),
            nn.Conv2d(hiddenChannels, outChannels, 1));
        RegisterComponents();
    }

    public long InChannels { get; }
    public long HiddenChannels { get; }
    public long OutChannels { get; }

    public override Tensor forward(Tensor hidden) => mlp.forward(hidden);

    /// <summary>Mean over samples and cells of 1 - cos(projected hidden state, teacher features).</summary>
    /// <param name="hidden">[B, InChannels, h, w].</param>
    /// <param name="teacher">[B, OutChannels, h, w].</param>
    public Tensor Loss(Tensor hidden, Tensor teacher)
    {
        if (hidden.shape[0] != teacher.shape[0] || hidden.shape[2] != teacher.shape[2] || hidden.shape[3] != teacher.shape[3])
            throw new ArgumentException($"hidden state [{string.Join(", ", hidden.shape)}] and teacher features [{string.Join(", ", teacher.shape)}] differ in batch or grid.", nameof(teacher));
        using var scope = NewDisposeScope();
        var similarity = nn.functional.cosine_similarity(forward(hidden), teacher, dim: 1, eps: 1e-6);
        return (1 - similarity).mean().MoveToOuterDisposeScope();
    }
}
