using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Native;

/// <summary>
/// A module built from scratch resets its norms to PyTorch's initial values before use, since TorchSharp's GroupNorm
/// allocates its scale and shift without initialising them (docs/known-issues.md).
/// </summary>
public class UninitialisedNormsTests
{
    public UninitialisedNormsTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Reset_gives_every_nested_group_and_layer_norm_a_scale_of_one_and_a_shift_of_zero()
    {
        var groupNorm = nn.GroupNorm(2, 4);
        var conv = nn.Conv2d(4, 4, 1);
        var layerNorm = nn.LayerNorm(4);
        using var model = nn.Sequential(("block", nn.Sequential(("norm", groupNorm), ("conv", conv))), ("out", layerNorm));
        using (no_grad())
            foreach (var p in model.parameters()) p.fill_(double.NaN); // what uninitialised memory may hold

        UninitialisedNorms.Reset(model);

        Assert.True(groupNorm.weight!.eq(1).all().item<bool>());
        Assert.True(groupNorm.bias!.eq(0).all().item<bool>());
        Assert.True(layerNorm.weight!.eq(1).all().item<bool>());
        Assert.True(layerNorm.bias!.eq(0).all().item<bool>());
        Assert.True(conv.weight!.isnan().all().item<bool>(), "only norms are reset");
        using var x = randn(2, 4, 3, 3);
        using var y = groupNorm.forward(x);
        Assert.False(y.isnan().any().item<bool>());
    }
}
