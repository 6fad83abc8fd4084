using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Replaces a random share of a batch's token rows with the empty caption's tokens, so one model learns both the
/// conditional and the unconditional noise prediction that classifier-free guidance combines at sampling time.
/// </summary>
public static class CaptionDropout
{
    /// <param name="ids">int64 [B, T] token ids.</param>
    /// <param name="emptyIds">int64 [T] token ids of the empty caption.</param>
    /// <param name="rate">Probability of dropping each row, independently.</param>
    /// <returns>A new [B, T] tensor; rows are dropped where a uniform draw from <paramref name="generator"/> falls below the rate.</returns>
    public static Tensor Apply(Tensor ids, Tensor emptyIds, double rate, Generator generator)
    {
        if (rate is < 0 or > 1 || double.IsNaN(rate)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "must be within 0..1.");
        if (ids.dim() != 2 || emptyIds.dim() != 1 || emptyIds.shape[0] != ids.shape[1])
            throw new ArgumentException($"ids [{string.Join(", ", ids.shape)}] and empty caption [{string.Join(", ", emptyIds.shape)}] do not fit.");
        using var scope = NewDisposeScope();
        // Drawn even at rate 0 so a batch's other draws do not depend on the rate.
        var drop = rand([ids.shape[0], 1], ScalarType.Float32, CPU, generator: generator).to(ids.device) < rate;
        return where(drop, emptyIds.unsqueeze(0).expand_as(ids), ids).MoveToOuterDisposeScope();
    }
}
