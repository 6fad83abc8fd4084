using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.TinyWorld.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

public sealed class CaptionDropoutTests
{
    private const int Rows = 4000;
    private const int Length = 6;

    public CaptionDropoutTests() => LibTorchRuntime.EnsureLoadable();

    /// <summary>Row i holds ids 10 + i .. (never the empty caption's 1, 2, 2, ...).</summary>
    private static Tensor Captions() => (torch.arange(Rows, ScalarType.Int64).unsqueeze(1) + 10).expand(Rows, Length).contiguous();

    private static Tensor Empty() => torch.tensor(new long[] { 1, 2, 2, 2, 2, 2 });

    private static (int Dropped, int Kept, int Mixed) Count(Tensor result, Tensor original, Tensor empty)
    {
        using var scope = torch.NewDisposeScope();
        int dropped = 0, kept = 0, mixed = 0;
        for (int i = 0; i < Rows; i++)
        {
            if (result[i].equal(empty).all().item<bool>()) dropped++;
            else if (result[i].equal(original[i]).all().item<bool>()) kept++;
            else mixed++;
        }
        return (dropped, kept, mixed);
    }

    [Fact]
    public void About_the_given_share_of_rows_becomes_the_empty_caption_and_the_others_are_untouched()
    {
        using var generator = new Generator(11);
        using var ids = Captions();
        using var empty = Empty();
        using var result = CaptionDropout.Apply(ids, empty, 0.1, generator);
        var (dropped, kept, mixed) = Count(result, ids, empty);
        Assert.Equal(0, mixed);
        Assert.Equal(Rows, dropped + kept);
        // Binomial(4000, 0.1): mean 400, sd 19; six sd either side.
        Assert.InRange(dropped, 286, 514);
    }

    [Fact]
    public void Rate_zero_keeps_every_caption_and_rate_one_drops_every_caption()
    {
        using var generator = new Generator(12);
        using var ids = Captions();
        using var empty = Empty();
        using var none = CaptionDropout.Apply(ids, empty, 0.0, generator);
        using var all = CaptionDropout.Apply(ids, empty, 1.0, generator);
        Assert.True(none.equal(ids).all().item<bool>());
        Assert.Equal((Rows, 0, 0), Count(all, ids, empty));
    }

    [Fact]
    public void The_same_generator_state_drops_the_same_rows()
    {
        using var ids = Captions();
        using var empty = Empty();
        using var first = new Generator(5);
        using var second = new Generator(5);
        using var a = CaptionDropout.Apply(ids, empty, 0.3, first);
        using var b = CaptionDropout.Apply(ids, empty, 0.3, second);
        Assert.True(a.equal(b).all().item<bool>());
    }

    [Fact]
    public void An_empty_caption_of_another_length_is_refused()
    {
        using var generator = new Generator(1);
        using var ids = Captions();
        using var shortEmpty = torch.tensor(new long[] { 1, 2 });
        Assert.Throws<ArgumentException>(() => CaptionDropout.Apply(ids, shortEmpty, 0.1, generator));
        Assert.Throws<ArgumentOutOfRangeException>(() => CaptionDropout.Apply(ids, Empty(), 1.5, generator));
    }
}
