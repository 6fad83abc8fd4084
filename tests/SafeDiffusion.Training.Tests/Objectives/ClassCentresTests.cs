using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Training.Objectives;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Tests.Objectives;

public sealed class ClassCentresTests
{
    public ClassCentresTests() => LibTorchRuntime.EnsureLoadable();

    private static ClassCentres Zeros() => new(zeros(1, 1, 2), full(1, 1, 2, 10.0));

    [Fact]
    public void A_centre_is_the_running_mean_of_its_class_starting_from_the_initial_centre_with_count_one()
    {
        using var scope = NewDisposeScope();
        using var centres = Zeros();

        centres.Update(TinySchedule.Rows([2, 4]), [false]);
        // (0 * 1 + [2, 4]) / 2
        TinySchedule.Near([1, 2], Values(centres.Clean));
        Assert.Equal(2, centres.CleanCount);

        centres.Update(TinySchedule.Rows([4, 1], [9, 9], [1, 1]), [false, true, false]);
        // ([1, 2] * 2 + [4, 1] + [1, 1]) / 4 for clean; ([10, 10] * 1 + [9, 9]) / 2 for harmful
        TinySchedule.Near([7.0 / 4, 6.0 / 4], Values(centres.Clean));
        TinySchedule.Near([9.5, 9.5], Values(centres.Harmful));
        Assert.Equal(4, centres.CleanCount);
        Assert.Equal(2, centres.HarmfulCount);
    }

    [Fact]
    public void A_uniform_shift_between_the_centres_lies_wholly_along_the_all_ones_direction()
    {
        using var scope = NewDisposeScope();
        // LT's picture: clean centre -s everywhere, harmful +s everywhere, over D = 4 coordinates.
        using var shifted = new ClassCentres(full(1, 2, 2, -3.0), full(1, 2, 2, 3.0));
        var g = shifted.Geometry();
        Assert.Equal(1.0, g.GapOnesShare, 12);
        Assert.Equal(-3.0 * 2, g.CleanOnes, 12);   // (-3 * 4) / sqrt(4)
        Assert.Equal(6.0, g.HarmfulNorm, 12);      // sqrt(4 * 9)
        Assert.Equal(6.0, g.HarmfulOnes, 12);

        // A gap that sums to zero has no all-ones component at all.
        using var apart = new ClassCentres(zeros(1, 2, 2), tensor(new[] { 1.0, -1.0, 1.0, -1.0 }).reshape(1, 2, 2));
        Assert.Equal(0.0, apart.Geometry().GapOnesShare, 12);
        using var same = new ClassCentres(zeros(1, 2, 2), zeros(1, 2, 2));
        Assert.Equal(0.0, same.Geometry().GapOnesShare);
    }

    [Fact]
    public void A_new_epoch_resets_the_counts_to_one_and_keeps_the_centres()
    {
        using var scope = NewDisposeScope();
        using var centres = Zeros();
        centres.Update(TinySchedule.Rows([2, 4], [4, 0]), [false, false]);   // ([2, 4] + [4, 0]) / 3 = [2, 4/3], count 3

        centres.ResetCounts();
        centres.Update(TinySchedule.Rows([3, 3]), [false]);

        // ([2, 4/3] * 1 + [3, 3]) / 2: the old mean now weighs as one row.
        TinySchedule.Near([2.5, (4.0 / 3 + 3) / 2], Values(centres.Clean));
        Assert.Equal(2, centres.CleanCount);
        Assert.Equal(1, centres.HarmfulCount);
    }

    [Fact]
    public void Random_centres_are_uniform_in_zero_to_one_with_count_one_and_repeat_for_a_seed()
    {
        using var scope = NewDisposeScope();
        using var a = ClassCentres.Random([4, 8, 8], 42, CPU);
        using var b = ClassCentres.Random([4, 8, 8], 42, CPU);

        Assert.Equal(ScalarType.Float64, a.Clean.dtype);
        Assert.True(a.Clean.min().item<double>() >= 0 && a.Clean.max().item<double>() < 1);
        Assert.InRange(a.Clean.mean().item<double>(), 0.4, 0.6);
        Assert.Equal(1, a.CleanCount);
        Assert.Equal(1, a.HarmfulCount);
        Assert.True(a.Clean.allclose(b.Clean, 0, 0) && a.Harmful.allclose(b.Harmful, 0, 0));
        Assert.False(a.Clean.allclose(a.Harmful, 0, 0));
    }

    private static double[] Values(Tensor centre) => centre.flatten().data<double>().ToArray();
}
