using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Unet;

/// <summary>
/// The sinusoidal timestep embedding (diffusers <c>get_timestep_embedding</c>): frequencies
/// <c>exp(-ln(10000) * i / (half - freq_shift))</c>, then <c>[sin, cos]</c>, or <c>[cos, sin]</c> when
/// <c>flip_sin_to_cos</c>. It has no weights; the embedding is computed in float32 like the reference.
/// </summary>
public sealed class Timesteps : DiffusersModule
{
    private const double MaxPeriod = 10000.0;
    private readonly long _channels;
    private readonly bool _flipSinToCos;
    private readonly double _freqShift;

    public Timesteps(long channels, bool flipSinToCos, double freqShift) : base(nameof(Timesteps))
    {
        _channels = channels;
        _flipSinToCos = flipSinToCos;
        _freqShift = freqShift;
    }

    /// <param name="timesteps">[B], any numeric type (fractional timesteps come from Euler-type schedules).</param>
    /// <returns>[B, channels] float32.</returns>
    public Tensor Forward(Tensor timesteps)
    {
        if (timesteps.dim() != 1) throw new ArgumentException($"timesteps must be 1-D, got [{string.Join(", ", timesteps.shape)}].");
        using var scope = NewDisposeScope();
        long half = _channels / 2;
        var exponent = arange(0, half, dtype: ScalarType.Float32, device: timesteps.device) * (-Math.Log(MaxPeriod));
        exponent = exponent / (half - _freqShift);
        var frequencies = exponent.exp();
        var angles = timesteps.unsqueeze(1).to_type(ScalarType.Float32) * frequencies.unsqueeze(0);
        var emb = _flipSinToCos
            ? cat([angles.cos(), angles.sin()], dim: -1)
            : cat([angles.sin(), angles.cos()], dim: -1);
        if (_channels % 2 == 1) emb = nn.functional.pad(emb, [0, 1, 0, 0]);
        return emb.MoveToOuterDisposeScope();
    }
}
