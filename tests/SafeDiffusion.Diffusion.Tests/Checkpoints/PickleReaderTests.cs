using System.Numerics;
using SafeDiffusion.Diffusion.Checkpoints;

namespace SafeDiffusion.Diffusion.Tests.Checkpoints;

public class PickleReaderTests
{
    private static object? Load(params byte[] pickle) =>
        new PickleReader(new MemoryStream(pickle), (g, _) => throw new PickleFormatException($"no {g}")).Load();

    [Fact]
    public void Long1_reads_little_endian_twos_complement()
    {
        Assert.Equal(-1L, Load(0x80, 2, 0x8a, 1, 0xff, (byte)'.'));
        Assert.Equal(255L, Load(0x80, 2, 0x8a, 2, 0xff, 0x00, (byte)'.'));
        var big = (BigInteger)Load(0x80, 2, 0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, (byte)'.')!;
        Assert.Equal(BigInteger.Pow(2, 64), big);
    }

    [Fact]
    public void Binfloat_is_big_endian()
    {
        // 1.5 = 0x3FF8000000000000.
        Assert.Equal(1.5, Load(0x80, 2, (byte)'G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0, (byte)'.'));
    }

    [Fact]
    public void Lists_dicts_tuples_and_memo_build_plain_data()
    {
        // {'a': [1, 2], 'b': (True, None)}, with the list memoised and fetched back as 'c'.
        byte[] pickle =
        [
            0x80, 2, (byte)'}', (byte)'(',
            (byte)'X', 1, 0, 0, 0, (byte)'a', (byte)']', (byte)'q', 5, (byte)'(', (byte)'K', 1, (byte)'K', 2, (byte)'e',
            (byte)'X', 1, 0, 0, 0, (byte)'b', 0x88, (byte)'N', 0x86,
            (byte)'X', 1, 0, 0, 0, (byte)'c', (byte)'h', 5,
            (byte)'u', (byte)'.',
        ];
        var dict = Assert.IsType<PickleDict>(Load(pickle));
        Assert.True(dict.TryGetValue("a", out var a));
        Assert.Equal(new object?[] { 1L, 2L }, Assert.IsType<List<object?>>(a));
        Assert.True(dict.TryGetValue("b", out var b));
        Assert.Equal(new object?[] { true, null }, Assert.IsType<object?[]>(b));
        Assert.True(dict.TryGetValue("c", out var c));
        Assert.Same(a, c);
    }

    [Fact]
    public void Reading_stops_after_stop_so_the_next_pickle_can_follow()
    {
        var stream = new MemoryStream([0x80, 2, (byte)'K', 7, (byte)'.', 0x80, 2, (byte)'K', 9, (byte)'.']);
        PickleReduceHandler refuse = (g, _) => throw new PickleFormatException(g.FullName);
        Assert.Equal(7L, new PickleReader(stream, refuse).Load());
        Assert.Equal(5, stream.Position);
        Assert.Equal(9L, new PickleReader(stream, refuse).Load());
    }

    [Fact]
    public void Unknown_opcodes_and_truncation_are_format_errors()
    {
        Assert.Throws<PickleFormatException>(() => Load(0x80, 2, 0xfe));
        Assert.Throws<PickleFormatException>(() => Load(0x80, 2, (byte)'X', 9, 0, 0, 0, (byte)'a'));
        Assert.Throws<PickleFormatException>(() => Load(0x80, 2, (byte)'K', 1));
    }

    [Fact]
    public void Calls_go_to_the_handler_with_their_arguments()
    {
        // cbuiltins\nlen\n(K\x05tR.
        var pickle = new List<byte> { 0x80, 2, (byte)'c' };
        pickle.AddRange("builtins\nlen\n"u8.ToArray());
        pickle.AddRange([(byte)'(', (byte)'K', 5, (byte)'t', (byte)'R', (byte)'.']);
        PickleGlobal? seen = null;
        object?[]? args = null;
        var result = new PickleReader(new MemoryStream(pickle.ToArray()), (g, a) =>
        {
            seen = g;
            args = a;
            return "called";
        }).Load();
        Assert.Equal("called", result);
        Assert.Equal("builtins.len", seen!.FullName);
        Assert.Equal(new object?[] { 5L }, args);
    }
}
