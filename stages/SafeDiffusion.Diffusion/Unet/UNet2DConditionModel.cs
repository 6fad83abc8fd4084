using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// The Stable Diffusion noise-prediction UNet (diffusers <c>UNet2DConditionModel</c>, 0.21 semantics) for SD 1.x
/// and 2.x configs: any number of down/up blocks, per-block heads, linear or conv projections, upcast attention.
/// Parameter names are diffusers', so its safetensors load by name.
/// </summary>
public sealed class UNet2DConditionModel : DiffusersModule
{
    private readonly Conv2d _convIn;
    private readonly Timesteps _timeProj;
    private readonly TimestepEmbedding _timeEmbedding;
    private readonly TextTimeEmbedding? _addEmbedding;
    private readonly Func<Tensor, Tensor>? _timeEmbedAct;
    private readonly ModuleList<UNetDownBlock> _downBlocks;
    private readonly UNetMidBlock2DCrossAttn? _midBlock;
    private readonly ModuleList<UNetUpBlock> _upBlocks;
    private readonly GroupNorm _convNormOut;
    private readonly Func<Tensor, Tensor> _convAct;
    private readonly Conv2d _convOut;
    private readonly int _upsamplerCount;

    public UNet2DConditionModel(UNet2DConditionConfig config, Device? device = null, ScalarType? dtype = null)
        : base(nameof(UNet2DConditionModel))
    {
        LibTorchRuntime.EnsureLoadable();
        config.Validate("config.json");
        Config = config;
        var p = new ModulePlacement(device ?? CPU, dtype ?? ScalarType.Float32);
        Device = p.Device!;
        DType = p.DType!.Value;

        int n = config.BlockCount;
        var channels = config.BlockOutChannels;
        var act = ActivationFunctions.Get(config.ActFn);
        int groups = config.NormNumGroups!.Value;
        var heads = config.HeadsPerBlock;
        var layers = config.LayersPerBlock.Expand(n);
        var crossDims = config.CrossAttentionDim.Expand(n);
        var transformerLayers = config.TransformerLayersPerBlock.Expand(n);

        _convIn = nn.Conv2d(config.InChannels, channels[0], config.ConvInKernel, padding: (config.ConvInKernel - 1) / 2, device: p.Device, dtype: p.DType);
        long timeEmbedDim = config.TimeEmbeddingDim ?? channels[0] * 4;
        _timeProj = new Timesteps(channels[0], config.FlipSinToCos, config.FreqShift);
        _timeEmbedding = new TimestepEmbedding(channels[0], timeEmbedDim, act,
            config.TimestepPostAct is { } post ? ActivationFunctions.Get(post) : null, p);
        if (config.AdditionEmbedType == "text")
            _addEmbedding = new TextTimeEmbedding(crossDims[0], timeEmbedDim, config.AdditionEmbedTypeNumHeads, p);
        _timeEmbedAct = config.TimeEmbeddingActFn is { } tea ? ActivationFunctions.Get(tea) : null;

        UNetBlockSettings Settings(int i, long inCh, long outCh, int layerCount, int headCount) => new(
            layerCount, inCh, outCh, timeEmbedDim, headCount, transformerLayers[i], crossDims[i], groups, config.NormEps, act,
            config.UseLinearProjection, config.UpcastAttention, config.Dropout, p, config.ResnetTimeScaleShift == "scale_shift");

        var down = new List<UNetDownBlock>();
        long output = channels[0];
        for (int i = 0; i < n; i++)
        {
            long input = output;
            output = channels[i];
            bool last = i == n - 1;
            var s = Settings(i, input, output, layers[i], heads[i]);
            down.Add(config.DownBlockTypes[i] == UNet2DConditionConfig.CrossAttnDownBlock
                ? new CrossAttnDownBlock2D(s, !last, config.DownsamplePadding)
                : new DownBlock2D(s, !last, config.DownsamplePadding));
        }
        _downBlocks = nn.ModuleList(down.ToArray());

        if (config.MidBlockType is not null)
            _midBlock = new UNetMidBlock2DCrossAttn(Settings(n - 1, channels[n - 1], channels[n - 1], 1, heads[n - 1]), config.MidBlockScaleFactor);

        var up = new List<UNetUpBlock>();
        var reversedChannels = channels.Reverse().ToList();
        output = reversedChannels[0];
        for (int i = 0; i < n; i++)
        {
            int r = n - 1 - i;
            bool last = i == n - 1;
            long prevOutput = output;
            output = reversedChannels[i];
            long input = reversedChannels[Math.Min(i + 1, n - 1)];
            if (!last) _upsamplerCount++;
            var s = Settings(r, input, output, layers[r] + 1, heads[r]);
            up.Add(config.UpBlockTypes[i] == UNet2DConditionConfig.CrossAttnUpBlock
                ? new CrossAttnUpBlock2D(s, prevOutput, !last)
                : new UpBlock2D(s, prevOutput, !last));
        }
        _upBlocks = nn.ModuleList(up.ToArray());

        _convNormOut = nn.GroupNorm(groups, channels[0], eps: config.NormEps, affine: true, device: p.Device, dtype: p.DType);
        _convAct = act;
        _convOut = nn.Conv2d(channels[0], config.OutChannels, config.ConvOutKernel, padding: (config.ConvOutKernel - 1) / 2, device: p.Device, dtype: p.DType);

        register_module("conv_in", _convIn);
        register_module("time_proj", _timeProj);
        register_module("time_embedding", _timeEmbedding);
        if (_addEmbedding is not null) register_module("add_embedding", _addEmbedding);
        register_module("down_blocks", _downBlocks);
        if (_midBlock is not null) register_module("mid_block", _midBlock);
        register_module("up_blocks", _upBlocks);
        register_module("conv_norm_out", _convNormOut);
        register_module("conv_out", _convOut);
    }

    public UNet2DConditionConfig Config { get; }
    public Device Device { get; }
    public ScalarType DType { get; }

    /// <summary>
    /// Recompute each down, mid and up block in the backward pass instead of keeping its activations (diffusers'
    /// <c>enable_gradient_checkpointing</c>; <see cref="BlockCheckpoint"/>): training memory falls to the blocks' inputs
    /// and outputs plus one block's activations, for about a third more compute. Applies only in train mode with
    /// gradients enabled; sampling and eval-mode passes are unaffected. Gradients equal those without it up to float
    /// rounding.
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>
    /// Builds the UNet described by <c>config.json</c> in <paramref name="componentDirectory"/> and loads its
    /// weights, converting them to <paramref name="dtype"/> on <paramref name="device"/> one tensor at a time.
    /// </summary>
    /// <param name="variant">e.g. <c>fp16</c> for <c>diffusion_pytorch_model.fp16.safetensors</c>; falls back to the plain file.</param>
    public static UNet2DConditionModel FromFolder(string componentDirectory, ScalarType dtype, Device device, string? variant = null)
    {
        LibTorchRuntime.EnsureLoadable();
        var config = UNet2DConditionConfig.Read(Path.Combine(componentDirectory, "config.json"));
        var model = new UNet2DConditionModel(config, device, dtype);
        try
        {
            ModelFolder.ComponentModuleLoader.LoadStrict(model, componentDirectory, variant, "unet");
            model.eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Predicts the noise (or v) for <paramref name="sample"/> at the given timestep.</summary>
    /// <param name="sample">[B, in_channels, h, w] latents.</param>
    /// <param name="timestep">[B] or a scalar (0-d) tensor, integer or fractional.</param>
    /// <param name="encoderHiddenStates">[B, tokens, cross_attention_dim] text embeddings.</param>
    public Tensor Forward(Tensor sample, Tensor timestep, Tensor encoderHiddenStates) => Run(sample, timestep, encoderHiddenStates, keepEncoderOutput: false).Prediction;

    /// <summary>
    /// As <see cref="Forward(Tensor, Tensor, Tensor)"/>, and also the hidden state where the down path ends (the mid
    /// block's input, [B, last block_out_channels, h / 2^(blocks - 1), w / 2^(blocks - 1)]), for training losses that
    /// shape the UNet's own representation (representation alignment). Both tensors are the caller's.
    /// </summary>
    public (Tensor Prediction, Tensor EncoderOutput) ForwardWithEncoderOutput(Tensor sample, Tensor timestep, Tensor encoderHiddenStates)
    {
        var (prediction, encoderOutput) = Run(sample, timestep, encoderHiddenStates, keepEncoderOutput: true);
        return (prediction, encoderOutput!);
    }

    private (Tensor Prediction, Tensor? EncoderOutput) Run(Tensor sample, Tensor timestep, Tensor encoderHiddenStates, bool keepEncoderOutput)
    {
        using var scope = NewDisposeScope();
        long batch = sample.shape[0];
        long overallUpFactor = 1L << _upsamplerCount;
        bool forwardUpsampleSize = sample.shape[^2] % overallUpFactor != 0 || sample.shape[^1] % overallUpFactor != 0;

        if (Config.CenterInputSample) sample = 2 * sample - 1.0;
        var timesteps = (timestep.dim() == 0 ? timestep.unsqueeze(0) : timestep).to(sample.device).expand(batch);
        var tEmb = _timeProj.Forward(timesteps).to_type(sample.dtype);
        var emb = _timeEmbedding.Forward(tEmb);
        if (_addEmbedding is not null) emb = emb + _addEmbedding.Forward(encoderHiddenStates);
        if (_timeEmbedAct is not null) emb = _timeEmbedAct(emb);

        bool checkpoint = GradientCheckpointing && training && is_grad_enabled();
        var h = _convIn.forward(sample);
        var skips = new List<Tensor> { h };
        foreach (var block in _downBlocks)
        {
            // A down block's last skip is its output: checkpointed, it returns the skips alone (no tensor twice).
            var blockSkips = checkpoint
                ? BlockCheckpoint.Run(x => block.Forward(x[0], x[1], x[2]).Skips, [h, emb, encoderHiddenStates])
                : block.Forward(h, emb, encoderHiddenStates).Skips;
            h = blockSkips[^1];
            skips.AddRange(blockSkips);
        }
        var encoderOutput = keepEncoderOutput ? h : null;
        if (_midBlock is not null)
        {
            var mid = _midBlock;
            h = checkpoint
                ? BlockCheckpoint.Run(x => [mid.Forward(x[0], x[1], x[2])], [h, emb, encoderHiddenStates])[0]
                : mid.Forward(h, emb, encoderHiddenStates);
        }

        for (int i = 0; i < _upBlocks.Count; i++)
        {
            var block = _upBlocks[i];
            bool last = i == _upBlocks.Count - 1;
            var blockSkips = skips.GetRange(skips.Count - block.ResnetCount, block.ResnetCount);
            skips.RemoveRange(skips.Count - block.ResnetCount, block.ResnetCount);
            long[]? upsampleSize = !last && forwardUpsampleSize ? skips[^1].shape[2..] : null;
            h = checkpoint
                ? BlockCheckpoint.Run(x => [block.Forward(x[0], x.Skip(3).ToList(), x[1], x[2], upsampleSize)],
                    [h, emb, encoderHiddenStates, .. blockSkips])[0]
                : block.Forward(h, blockSkips, emb, encoderHiddenStates, upsampleSize);
        }

        h = ChannelBlockConvolution.Forward(_convOut, _convAct(_convNormOut.forward(h)));
        return (h.MoveToOuterDisposeScope(), encoderOutput?.MoveToOuterDisposeScope());
    }

    /// <summary>As <see cref="Forward(Tensor, Tensor, Tensor)"/> with one timestep for the whole batch.</summary>
    public Tensor Forward(Tensor sample, double timestep, Tensor encoderHiddenStates)
    {
        using var t = tensor(timestep, ScalarType.Float64, sample.device);
        return Forward(sample, t, encoderHiddenStates);
    }
}
