using System.Buffers.Binary;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Prompts.Tests.Gguf;

public class GgufWriterTests
{
    [Fact]
    public void Metadata_of_every_gguf_type_including_arrays_reads_back_unchanged()
    {
        using var dir = new TempDirectory();
        var path = dir.File("types.gguf");
        var writer = new GgufWriter()
            .Add("u8", GgufValue.UInt8(250))
            .Add("i8", GgufValue.Int8(-120))
            .Add("u16", GgufValue.UInt16(65000))
            .Add("i16", GgufValue.Int16(-32000))
            .Add("u32", GgufValue.UInt32(4_000_000_000))
            .Add("i32", GgufValue.Int32(-2_000_000_000))
            .Add("f32", GgufValue.Float32(1.5e-5f))
            .Add("bool", GgufValue.Bool(true))
            .Add("str", GgufValue.String("héllo ▁wörld"))
            .Add("u64", GgufValue.UInt64(18_000_000_000_000_000_000))
            .Add("i64", GgufValue.Int64(-9_000_000_000_000_000_000))
            .Add("f64", GgufValue.Float64(Math.PI))
            .Add("a.u8", GgufValue.Array(new byte[] { 1, 2, 255 }))
            .Add("a.i8", GgufValue.Array(new sbyte[] { -1, 127 }))
            .Add("a.u16", GgufValue.Array(new ushort[] { 7, 65535 }))
            .Add("a.i16", GgufValue.Array(new short[] { -7, 300 }))
            .Add("a.u32", GgufValue.Array(new uint[] { 3, 4_000_000_000 }))
            .Add("a.i32", GgufValue.Array(new[] { -3, 1, 6 }))
            .Add("a.f32", GgufValue.Array(new[] { 0.25f, -1e10f }))
            .Add("a.bool", GgufValue.Array(new[] { true, false, true }))
            .Add("a.str", GgufValue.Array(new[] { "<s>", "", "▁word" }))
            .Add("a.u64", GgufValue.Array(new ulong[] { ulong.MaxValue }))
            .Add("a.i64", GgufValue.Array(new[] { long.MinValue, 5L }))
            .Add("a.f64", GgufValue.Array(new[] { 1e-300, 2.5 }))
            .Add("a.empty", GgufValue.Array(Array.Empty<string>()));
        writer.Write(path);

        var file = GgufReader.Read(path);

        Assert.Equal(3u, file.Version);
        Assert.Equal(25, file.Entries.Count);
        Assert.Equal("u8", file.Entries[0].Key);
        Assert.Equal("a.empty", file.Entries[^1].Key);
        Assert.Equal((byte)250, file.Metadata["u8"].Value);
        Assert.Equal((sbyte)-120, file.Metadata["i8"].Value);
        Assert.Equal((ushort)65000, file.Metadata["u16"].Value);
        Assert.Equal((short)-32000, file.Metadata["i16"].Value);
        Assert.Equal(4_000_000_000u, file.Metadata["u32"].Value);
        Assert.Equal(-2_000_000_000, file.Metadata["i32"].Value);
        Assert.Equal(1.5e-5f, file.Metadata["f32"].Value);
        Assert.Equal(true, file.Metadata["bool"].Value);
        Assert.Equal("héllo ▁wörld", file.Metadata["str"].AsString());
        Assert.Equal(18_000_000_000_000_000_000ul, file.Metadata["u64"].Value);
        Assert.Equal(-9_000_000_000_000_000_000L, file.Metadata["i64"].Value);
        Assert.Equal(Math.PI, file.Metadata["f64"].Value);
        Assert.Equal(new byte[] { 1, 2, 255 }, file.Metadata["a.u8"].AsArray<byte>());
        Assert.Equal(new sbyte[] { -1, 127 }, file.Metadata["a.i8"].AsArray<sbyte>());
        Assert.Equal(new ushort[] { 7, 65535 }, file.Metadata["a.u16"].AsArray<ushort>());
        Assert.Equal(new short[] { -7, 300 }, file.Metadata["a.i16"].AsArray<short>());
        Assert.Equal(new uint[] { 3, 4_000_000_000 }, file.Metadata["a.u32"].AsArray<uint>());
        Assert.Equal(new[] { -3, 1, 6 }, file.Metadata["a.i32"].AsArray<int>());
        Assert.Equal(new[] { 0.25f, -1e10f }, file.Metadata["a.f32"].AsArray<float>());
        Assert.Equal(new[] { true, false, true }, file.Metadata["a.bool"].AsArray<bool>());
        Assert.Equal(new[] { "<s>", "", "▁word" }, file.Metadata["a.str"].AsArray<string>());
        Assert.Equal(new[] { ulong.MaxValue }, file.Metadata["a.u64"].AsArray<ulong>());
        Assert.Equal(new[] { long.MinValue, 5L }, file.Metadata["a.i64"].AsArray<long>());
        Assert.Equal(new[] { 1e-300, 2.5 }, file.Metadata["a.f64"].AsArray<double>());
        Assert.Equal(GgufValueType.String, file.Metadata["a.empty"].ElementType);
        Assert.Equal(0, file.Metadata["a.empty"].ArrayLength);
    }

    [Fact]
    public void Header_bytes_follow_the_gguf_layout_byte_for_byte()
    {
        // Layout from gguf.h: magic, u32 version, i64 tensor count, i64 kv count, then key (u64 length + bytes),
        // u32 type, value. All little-endian.
        using var dir = new TempDirectory();
        var path = dir.File("one.gguf");
        new GgufWriter().Add("ab", GgufValue.UInt32(7)).Write(path);

        var bytes = File.ReadAllBytes(path);

        byte[] expected =
        [
            (byte)'G', (byte)'G', (byte)'U', (byte)'F',
            3, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            1, 0, 0, 0, 0, 0, 0, 0,
            2, 0, 0, 0, 0, 0, 0, 0, (byte)'a', (byte)'b',
            4, 0, 0, 0,
            7, 0, 0, 0,
        ];
        Assert.Equal(expected, bytes[..expected.Length]);
        Assert.Equal(64, bytes.Length); // 42 header bytes padded to the 32-byte alignment
        Assert.All(bytes[expected.Length..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Tensors_are_stored_with_reversed_dimensions_at_aligned_offsets_in_f32_and_f16()
    {
        using var dir = new TempDirectory();
        var path = dir.File("tensors.gguf");
        float[] matrix = [1, 2, 3, 4, 5, 6];          // row-major [2, 3]
        float[] vector = [0.1f, -2, 3.5f, 65504, 1e-3f]; // [5], stored as F16
        new GgufWriter(alignment: 64)
            .AddTensor("m", matrix, [2, 3])
            .AddTensor("v", vector, [5], GgmlType.F16)
            .Write(path);

        var file = GgufReader.Read(path);
        var bytes = File.ReadAllBytes(path);

        Assert.Equal(64u, file.Alignment);
        Assert.Equal(64u, file.Metadata[GgufFormat.AlignmentKey].Value);
        Assert.Equal(0, file.DataOffset % 64);
        var m = file.Tensor("m")!;
        Assert.Equal(new long[] { 3, 2 }, m.Dimensions);
        Assert.Equal(new long[] { 2, 3 }, m.Shape);
        Assert.Equal(GgmlType.F32, m.Type);
        Assert.Equal(0ul, m.Offset);
        var v = file.Tensor("v")!;
        Assert.Equal(new long[] { 5 }, v.Dimensions);
        Assert.Equal(GgmlType.F16, v.Type);
        Assert.Equal(64ul, v.Offset); // 24 bytes of m, padded to 64

        for (int i = 0; i < matrix.Length; i++)
            Assert.Equal(matrix[i], BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)file.DataOffset + i * 4)));
        for (int i = 0; i < vector.Length; i++)
            Assert.Equal((float)(Half)vector[i], (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan((int)file.DataOffset + 64 + i * 2)));
        Assert.Equal(file.DataOffset + 128, bytes.Length);
    }

    [Fact]
    public void Writer_refuses_duplicate_keys_duplicate_tensors_wrong_element_counts_and_long_names()
    {
        var writer = new GgufWriter().Add("k", "v").AddTensor("t", [1f], [1]);

        Assert.Throws<ArgumentException>(() => writer.Add("k", "again"));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("t", [1f], [1]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("u", [1f, 2f, 3f], [2, 2]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor(new string('x', 64), [1f], [1]));
        Assert.Throws<ArgumentException>(() => writer.AddTensor("q", [1f], [1], GgmlType.Q4_0));
        Assert.Throws<ArgumentException>(() => writer.Add(GgufFormat.AlignmentKey, GgufValue.UInt32(64)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GgufWriter(alignment: 48));
    }

    [Fact]
    public void Interleaved_rope_permutation_pairs_row_j_of_each_half_as_rows_2j_and_2j_plus_1()
    {
        // One head of size 4 over 2 input columns: rows r0 r1 | r2 r3 (halves) become r0 r2 r1 r3, as
        // convert_hf_to_gguf.py's permute (reshape(h, 2, d/2, n).swapaxes(1, 2)) orders them.
        float[] weight = [0, 1, 10, 11, 20, 21, 30, 31];
        var permuted = LlamaGgufLayout.PermuteForInterleavedRope(weight, headCount: 1, rows: 4, columns: 2);
        Assert.Equal(new float[] { 0, 1, 20, 21, 10, 11, 30, 31 }, permuted);

        // Two heads of size 2: each head's halves are single rows, so nothing moves.
        Assert.Equal(weight, LlamaGgufLayout.PermuteForInterleavedRope(weight, headCount: 2, rows: 4, columns: 2));
    }
}
