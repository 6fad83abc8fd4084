using SafeDiffusion.Core.Randomness;

namespace SafeDiffusion.Core.Tests.Randomness;

public sealed class SplitMix64Tests
{
    [Fact]
    public void Seed_zero_gives_the_reference_implementations_first_outputs()
    {
        // Vigna's splitmix64.c started from x = 0.
        var random = new SplitMix64(0L);

        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void A_negative_seed_and_its_unsigned_bits_name_the_same_sequence()
    {
        var signed = new SplitMix64(-1L);
        var unsigned = new SplitMix64(ulong.MaxValue);

        for (int i = 0; i < 4; i++) Assert.Equal(unsigned.NextUInt64(), signed.NextUInt64());
    }

    [Fact]
    public void The_two_bounded_draws_map_the_same_first_draw_differently()
    {
        // The first draw from seed 0 is 16294208416658607535: modulo 10 it is 5 (below the rejection limit, so
        // Next keeps it); its multiply-shift by 10 is floor(0.8833... * 10) = 8.
        Assert.Equal(5, new SplitMix64(0L).Next(10));
        Assert.Equal(8, new SplitMix64(0L).NextMultiplyShift(10));
    }

    [Fact]
    public void NextDouble_keeps_the_top_53_bits_of_a_draw()
    {
        Assert.Equal(0.8833108082136426, new SplitMix64(0L).NextDouble(), precision: 15);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Bounded_draws_stay_in_range_and_reach_every_value(int count)
    {
        var random = new SplitMix64(42L);
        var seenNext = new HashSet<int>();
        var seenShift = new HashSet<int>();
        for (int i = 0; i < 20 * count; i++)
        {
            var a = random.Next(count);
            var b = random.NextMultiplyShift(count);
            Assert.InRange(a, 0, count - 1);
            Assert.InRange(b, 0, count - 1);
            seenNext.Add(a);
            seenShift.Add(b);
        }
        Assert.Equal(count, seenNext.Count);
        Assert.Equal(count, seenShift.Count);
    }

    [Fact]
    public void An_empty_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitMix64(1L).Next(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitMix64(1L).NextMultiplyShift(0));
    }

    [Fact]
    public void Shuffle_permutes_and_the_same_seed_shuffles_alike()
    {
        var first = Enumerable.Range(0, 50).ToList();
        var second = Enumerable.Range(0, 50).ToList();

        new SplitMix64(9L).Shuffle(first);
        new SplitMix64(9L).Shuffle(second);

        Assert.Equal(Enumerable.Range(0, 50), first.Order());
        Assert.Equal(first, second);
        Assert.NotEqual(Enumerable.Range(0, 50), first);
    }
}
