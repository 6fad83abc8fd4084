using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Pipeline.Doctor;
using static TorchSharp.torch;

namespace SafeDiffusion.Pipeline.Tests.Doctor;

public class HalfPrecisionToleranceTests
{
    public HalfPrecisionToleranceTests() => LibTorchRuntime.EnsureLoadable();

    /// <summary>max |x - round(x)| and max |x| of a spread of values rounded to <paramref name="type"/> once.</summary>
    private static (double Error, double Max) RoundingError(ScalarType type, double scale)
    {
        using var scope = NewDisposeScope();
        var x = (randn([10_000], generator: new TorchSharp.torch.Generator(7), dtype: ScalarType.Float64) * scale);
        var rounded = x.to_type(type).to_type(ScalarType.Float64);
        return ((x - rounded).abs().max().item<double>(), x.abs().max().item<double>());
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(30.0)]
    public void Rounding_once_to_the_type_is_well_within_its_component_bound(double scale)
    {
        foreach (var type in new[] { ScalarType.Float16, ScalarType.BFloat16 })
        {
            var (error, max) = RoundingError(type, scale);
            Assert.True(error * 8 < HalfPrecisionTolerance.Component(type, max), $"{type}: rounding error {error}");
        }
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void The_unit_roundoff_is_the_largest_relative_error_of_rounding_to_the_type(ScalarType type)
    {
        using var scope = NewDisposeScope();
        var x = rand([100_000], generator: new TorchSharp.torch.Generator(3), dtype: ScalarType.Float64) + 0.5;
        double relative = ((x - x.to_type(type).to_type(ScalarType.Float64)).abs() / x).max().item<double>();

        double u = HalfPrecisionTolerance.UnitRoundoff(type);
        Assert.InRange(relative, 0.9 * u, u);
    }

    [Fact]
    public void The_bfloat16_bound_is_eight_times_the_float16_one_as_it_keeps_three_fewer_fraction_bits()
    {
        Assert.Equal(8, HalfPrecisionTolerance.Component(ScalarType.BFloat16, 1) / HalfPrecisionTolerance.Component(ScalarType.Float16, 1), 9);
        Assert.Equal(8, HalfPrecisionTolerance.Txt2Img(ScalarType.BFloat16, 1) / HalfPrecisionTolerance.Txt2Img(ScalarType.Float16, 1), 9);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void A_layer_off_by_a_tenth_of_the_output_scale_fails_the_float16_bound_and_a_third_fails_bfloat16(ScalarType type)
    {
        // What a wrongly computed layer looks like (a channel-block convolution mis-rounded in bfloat16 was 31% off).
        double wrong = type == ScalarType.Float16 ? 0.1 : 0.31;
        Assert.True(wrong > HalfPrecisionTolerance.Component(type, 1.0));
    }

    [Fact]
    public void Bounds_are_relative_above_magnitude_one_and_absolute_below()
    {
        var type = ScalarType.Float16;
        Assert.Equal(HalfPrecisionTolerance.Component(type, 1), HalfPrecisionTolerance.Component(type, 0.01));
        Assert.Equal(10 * HalfPrecisionTolerance.Component(type, 1), HalfPrecisionTolerance.Component(type, 10), 12);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void The_whole_txt2img_loop_gets_more_room_than_one_component_pass(ScalarType type)
    {
        Assert.True(HalfPrecisionTolerance.Txt2Img(type, 1) > HalfPrecisionTolerance.Component(type, 1));
    }

    [Fact]
    public void The_float16_txt2img_bound_on_images_is_near_what_diffusers_allows_float16_pipelines()
    {
        // diffusers compares float16 pipeline images in [0, 1] with float32 ones within 5e-2 max abs.
        double bound = HalfPrecisionTolerance.Txt2Img(ScalarType.Float16, 1);
        Assert.InRange(bound, 2.5e-2, 1e-1);
    }
}
