using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.ModelFolder;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// <c>unet/config.json</c> of a diffusers <c>UNet2DConditionModel</c>. Defaults are diffusers 0.21's. Options that
/// Stable Diffusion 1.x/2.x never set (class embeddings, added embeddings, other block types) are read so that
/// <see cref="Validate"/> can refuse them by name instead of silently building a different network.
/// </summary>
public sealed record UNet2DConditionConfig
{
    public const string CrossAttnDownBlock = "CrossAttnDownBlock2D";
    public const string DownBlock = "DownBlock2D";
    public const string CrossAttnUpBlock = "CrossAttnUpBlock2D";
    public const string UpBlock = "UpBlock2D";
    public const string CrossAttnMidBlock = "UNetMidBlock2DCrossAttn";

    public int? SampleSize { get; init; }
    public int InChannels { get; init; } = 4;
    public int OutChannels { get; init; } = 4;
    public bool CenterInputSample { get; init; }
    public bool FlipSinToCos { get; init; } = true;
    public double FreqShift { get; init; }
    public IReadOnlyList<string> DownBlockTypes { get; init; } = [CrossAttnDownBlock, CrossAttnDownBlock, CrossAttnDownBlock, DownBlock];
    public string? MidBlockType { get; init; } = CrossAttnMidBlock;
    public IReadOnlyList<string> UpBlockTypes { get; init; } = [UpBlock, CrossAttnUpBlock, CrossAttnUpBlock, CrossAttnUpBlock];
    public bool OnlyCrossAttention { get; init; }
    public IReadOnlyList<int> BlockOutChannels { get; init; } = [320, 640, 1280, 1280];
    public IntOrList LayersPerBlock { get; init; } = IntOrList.Scalar(2);
    public int DownsamplePadding { get; init; } = 1;
    public double MidBlockScaleFactor { get; init; } = 1.0;
    public double Dropout { get; init; }
    public string ActFn { get; init; } = "silu";
    public int? NormNumGroups { get; init; } = 32;
    public double NormEps { get; init; } = 1e-5;
    public IntOrList CrossAttentionDim { get; init; } = IntOrList.Scalar(1280);
    public IntOrList TransformerLayersPerBlock { get; init; } = IntOrList.Scalar(1);
    /// <summary>Despite its name, diffusers uses this as the number of heads when num_attention_heads is absent.</summary>
    public IntOrList? AttentionHeadDim { get; init; } = IntOrList.Scalar(8);
    public IntOrList? NumAttentionHeads { get; init; }
    public bool DualCrossAttention { get; init; }
    public bool UseLinearProjection { get; init; }
    public bool UpcastAttention { get; init; }
    public string ResnetTimeScaleShift { get; init; } = "default";
    public string TimeEmbeddingType { get; init; } = "positional";
    public int? TimeEmbeddingDim { get; init; }
    public string? TimeEmbeddingActFn { get; init; }
    public string? TimestepPostAct { get; init; }
    public int? TimeCondProjDim { get; init; }
    public int ConvInKernel { get; init; } = 3;
    public int ConvOutKernel { get; init; } = 3;
    public string AttentionType { get; init; } = "default";
    public string? ClassEmbedType { get; init; }
    public int? NumClassEmbeds { get; init; }
    /// <summary>"text" adds the attention-pooled text embeddings to the time embedding (<see cref="TextTimeEmbedding"/>).</summary>
    public string? AdditionEmbedType { get; init; }
    public int AdditionEmbedTypeNumHeads { get; init; } = 64;
    public int? EncoderHidDim { get; init; }
    public string? EncoderHidDimType { get; init; }
    public string? CrossAttentionNorm { get; init; }

    public int BlockCount => BlockOutChannels.Count;

    /// <summary>Attention heads per down block (diffusers: <c>num_attention_heads or attention_head_dim</c>).</summary>
    public IReadOnlyList<int> HeadsPerBlock => (NumAttentionHeads ?? AttentionHeadDim)!.Expand(BlockCount);

    public static UNet2DConditionConfig Read(string path)
    {
        var config = ComponentConfig.Read<UNet2DConditionConfig>(path);
        config.Validate(path);
        return config;
    }

    /// <summary>Refuses configurations this port does not build, naming the key.</summary>
    public void Validate(string path)
    {
        void Fail(string field, string problem) => throw new InputDataException(path, problem, field,
            "This port builds the Stable Diffusion 1.x/2.x UNet (UNet2DConditionModel with cross-attention blocks).");

        int n = BlockOutChannels.Count;
        if (n == 0) Fail("block_out_channels", "is empty.");
        if (DownBlockTypes.Count != n) Fail("down_block_types", $"has {DownBlockTypes.Count} entries but block_out_channels has {n}.");
        if (UpBlockTypes.Count != n) Fail("up_block_types", $"has {UpBlockTypes.Count} entries but block_out_channels has {n}.");
        foreach (var t in DownBlockTypes)
            if (t is not (CrossAttnDownBlock or DownBlock)) Fail("down_block_types", $"names '{t}'; supported: {CrossAttnDownBlock}, {DownBlock}.");
        foreach (var t in UpBlockTypes)
            if (t is not (CrossAttnUpBlock or UpBlock)) Fail("up_block_types", $"names '{t}'; supported: {CrossAttnUpBlock}, {UpBlock}.");
        if (MidBlockType is not (null or CrossAttnMidBlock)) Fail("mid_block_type", $"is '{MidBlockType}'; supported: {CrossAttnMidBlock} or null.");
        CheckList(LayersPerBlock, "layers_per_block");
        CheckList(CrossAttentionDim, "cross_attention_dim");
        CheckList(TransformerLayersPerBlock, "transformer_layers_per_block");
        if (NumAttentionHeads is null && AttentionHeadDim is null) Fail("attention_head_dim", "and num_attention_heads are both null.");
        CheckList((NumAttentionHeads ?? AttentionHeadDim)!, NumAttentionHeads is null ? "attention_head_dim" : "num_attention_heads");
        var heads = HeadsPerBlock;
        for (int i = 0; i < n; i++)
        {
            if (heads[i] <= 0 || BlockOutChannels[i] % heads[i] != 0)
                Fail(NumAttentionHeads is null ? "attention_head_dim" : "num_attention_heads",
                    $"gives {heads[i]} heads for block {i}, which must divide its {BlockOutChannels[i]} channels.");
            if (NormNumGroups is { } g && BlockOutChannels[i] % g != 0)
                Fail("norm_num_groups", $"{g} does not divide block_out_channels[{i}] = {BlockOutChannels[i]}.");
        }
        if (!ActivationFunctions.IsKnown(ActFn)) Fail("act_fn", $"'{ActFn}' is not a known activation.");
        if (TimeEmbeddingActFn is { } a && !ActivationFunctions.IsKnown(a)) Fail("time_embedding_act_fn", $"'{a}' is not a known activation.");
        if (TimestepPostAct is { } b && !ActivationFunctions.IsKnown(b)) Fail("timestep_post_act", $"'{b}' is not a known activation.");
        if (NormNumGroups is null) Fail("norm_num_groups", "is null; every UNet block needs GroupNorm groups.");
        if (OnlyCrossAttention) Fail("only_cross_attention", "is true, which is not supported.");
        if (DualCrossAttention) Fail("dual_cross_attention", "is true, which is not supported.");
        if (ResnetTimeScaleShift is not ("default" or "scale_shift")) Fail("resnet_time_scale_shift", $"is '{ResnetTimeScaleShift}'; supported: 'default', 'scale_shift'.");
        if (TimeEmbeddingType != "positional") Fail("time_embedding_type", $"is '{TimeEmbeddingType}'; only 'positional' is supported.");
        if (TimeCondProjDim is not null) Fail("time_cond_proj_dim", "is set, which is not supported.");
        if (AttentionType != "default") Fail("attention_type", $"is '{AttentionType}'; only 'default' is supported.");
        if (ClassEmbedType is not null || NumClassEmbeds is not null) Fail("class_embed_type", "class embeddings are not supported.");
        if (AdditionEmbedType is not (null or "text")) Fail("addition_embed_type", $"'{AdditionEmbedType}' is not supported; supported: 'text' or null.");
        if (AdditionEmbedType == "text")
        {
            if (!CrossAttentionDim.IsScalar) Fail("cross_attention_dim", "is a list; addition_embed_type 'text' pools text embeddings of one width.");
            int width = CrossAttentionDim.Expand(1)[0];
            if (AdditionEmbedTypeNumHeads <= 0 || width % AdditionEmbedTypeNumHeads != 0)
                Fail("addition_embed_type_num_heads", $"is {AdditionEmbedTypeNumHeads}, which must divide cross_attention_dim {width}.");
        }
        if (EncoderHidDim is not null || EncoderHidDimType is not null) Fail("encoder_hid_dim", "an encoder projection is not supported.");
        if (CrossAttentionNorm is not null) Fail("cross_attention_norm", $"'{CrossAttentionNorm}' is not supported.");
        if (ConvInKernel % 2 == 0) Fail("conv_in_kernel", "must be odd.");
        if (ConvOutKernel % 2 == 0) Fail("conv_out_kernel", "must be odd.");

        void CheckList(IntOrList value, string field)
        {
            if (!value.IsScalar && value.Values.Count != n)
                Fail(field, $"has {value.Values.Count} entries but block_out_channels has {n}.");
        }
    }
}
