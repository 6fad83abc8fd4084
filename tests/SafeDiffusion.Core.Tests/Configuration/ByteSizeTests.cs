using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Core.Tests.Configuration;

public class ByteSizeTests
{
    [Theory]
    [InlineData("8GiB", 8L << 30)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("512 MiB", 512L << 20)]
    [InlineData("4096", 4096L)]
    public void Parses_binary_and_decimal_units(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var size));
        Assert.Equal(bytes, size.Bytes);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("8XB")]
    [InlineData("-1GiB")]
    public void Rejects_what_is_not_a_size(string text) => Assert.False(ByteSize.TryParse(text, out _));
}
