using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;
using SafeDiffusion.Diffusion.Unet;

namespace SafeDiffusion.Diffusion.Vae;

/// <summary><c>vae/config.json</c> of a diffusers <c>AutoencoderKL</c> (defaults: diffusers 0.21).</summary>
public sealed record AutoencoderKLConfig
{
    public const string DownBlock = "DownEncoderBlock2D";
    public const string UpBlock = "UpDecoderBlock2D";

    public int InChannels { get; init; } = 3;
    public int OutChannels { get; init; } = 3;
    public IReadOnlyList<string> DownBlockTypes { get; init; } = [DownBlock];
    public IReadOnlyList<string> UpBlockTypes { get; init; } = [UpBlock];
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [64];
    public int LayersPerBlock { get; init; } = 1;
    public string ActFn { get; init; } = "silu";
    public int LatentChannels { get; init; } = 4;
    public int NormNumGroups { get; init; } = 32;
    public IntOrList SampleSize { get; init; } = IntOrList.Scalar(32);
    /// <summary>Latents are multiplied by this after encoding and divided by it before decoding.</summary>
    public double ScalingFactor { get; init; } = 0.18215;
    /// <summary>The VAE overflows in float16; diffusers runs it in float32 when this is set.</summary>
    public bool ForceUpcast { get; init; } = true;

    /// <summary>How much smaller the latents are than the image: 2^(blocks - 1).</summary>
    public int DownscaleFactor => 1 << (BlockOutChannels.Count - 1);

    public static AutoencoderKLConfig Read(string path)
    {
        var config = ComponentConfig.Read<AutoencoderKLConfig>(path);
        config.Validate(path);
        return config;
    }

    public void Validate(string path)
    {
        void Fail(string field, string problem) => throw new InputDataException(path, problem, field,
            "This port builds the Stable Diffusion AutoencoderKL (DownEncoderBlock2D / UpDecoderBlock2D).");
        int n = BlockOutChannels.Count;
        if (n == 0) Fail("block_out_channels", "is empty.");
        if (DownBlockTypes.Count != n) Fail("down_block_types", $"has {DownBlockTypes.Count} entries but block_out_channels has {n}.");
        if (UpBlockTypes.Count != n) Fail("up_block_types", $"has {UpBlockTypes.Count} entries but block_out_channels has {n}.");
        foreach (var t in DownBlockTypes)
            if (t != DownBlock) Fail("down_block_types", $"names '{t}'; supported: {DownBlock}.");
        foreach (var t in UpBlockTypes)
            if (t != UpBlock) Fail("up_block_types", $"names '{t}'; supported: {UpBlock}.");
        foreach (var c in BlockOutChannels)
            if (c % NormNumGroups != 0) Fail("norm_num_groups", $"{NormNumGroups} does not divide block_out_channels entry {c}.");
        if (!ActivationFunctions.IsKnown(ActFn)) Fail("act_fn", $"'{ActFn}' is not a known activation.");
        if (LayersPerBlock < 1) Fail("layers_per_block", "must be at least 1.");
        if (ScalingFactor <= 0) Fail("scaling_factor", "must be positive.");
    }
}
