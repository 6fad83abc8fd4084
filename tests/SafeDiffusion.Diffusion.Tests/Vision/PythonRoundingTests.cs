using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.Diffusion.Tests.Vision;

public class PythonRoundingTests
{
    // Expected values are what CPython 3 prints for round(x, n).
    [Theory]
    [InlineData(0.0625, 3, 0.062)]   // an exact binary tie goes to even
    [InlineData(0.0005, 3, 0.001)]   // stored slightly above the tie
    [InlineData(2.675, 2, 2.67)]     // stored slightly below the tie
    [InlineData(-0.0425, 3, -0.043)]
    [InlineData(0.0015, 3, 0.002)]
    [InlineData(-0.0005, 3, -0.001)]
    [InlineData(0.1235, 3, 0.123)]
    [InlineData(-0.0529999, 3, -0.053)]
    [InlineData(0.0, 3, 0.0)]
    public void Round_matches_python_round(double x, int digits, double expected) =>
        Assert.Equal(expected, PythonRounding.Round(x, digits));
}
