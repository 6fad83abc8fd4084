using System.Text;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Safetensors;

public class SafetensorsFileTests
{
    public SafetensorsFileTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void Writes_and_reads_back_every_dtype_with_metadata()
    {
        using var dir = new TempDirectory();
        var path = dir.File("t.safetensors");
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3),
            ["f16"] = torch.tensor(new[] { 0.5f, -2f }).to(ScalarType.Float16),
            ["bf16"] = torch.tensor(new[] { 1.5f, 3f, -4f }).to(ScalarType.BFloat16),
            ["i64"] = torch.tensor(new long[] { 1, -7, 1L << 40 }),
            ["i32"] = torch.tensor(new[] { 3, 4 }),
            ["empty"] = torch.zeros(0, 4),
        };
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });

        using var file = SafetensorsFile.Open(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(SafetensorsDType.BF16, file.Entry("bf16").DType);
        foreach (var (name, expected) in tensors)
        {
            var actual = file.Load(name);
            Assert.Equal(expected.dtype, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(expected.eq(actual).all().item<bool>(), name);
        }
        // Converting while loading: F16 stored, F32 wanted.
        var converted = file.Load("f16", ScalarType.Float32);
        Assert.Equal(new[] { 0.5f, -2f }, converted.data<float>().ToArray());
    }

    [Fact]
    public void Header_length_beyond_the_file_names_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("short.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1000L), .. "{}"u8.ToArray()]);
        var e = Assert.Throws<InputDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}""", 8, "outside")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlap")]
    [InlineData("""{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", 8, "unknown dtype")]
    [InlineData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 12 bytes")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]""", 8, "not valid JSON")]
    // 2^62 * 4 elements wrap a 64-bit product to 0, which would match the empty byte range.
    [InlineData("""{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}""", 0, "too large")]
    [InlineData("""{"a":{"dtype":"U8","shape":[4611686018427387904,4],"data_offsets":[0,0]}}""", 0, "too large")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", 8, "outside")]
    public void Malformed_headers_are_rejected_with_file_and_tensor(string header, int dataBytes, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.File("bad.safetensors");
        var h = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)h.Length), .. h, .. new byte[dataBytes]]);
        var e = Assert.Throws<InputDataException>(() => SafetensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        if (expected != "not valid JSON") Assert.Contains("tensor '", e.Message);
    }

    [Fact]
    public void Loading_into_a_module_reports_missing_and_unexpected_names_and_converts_dtype()
    {
        using var dir = new TempDirectory();
        var path = dir.File("linear.safetensors");
        using var scope = torch.NewDisposeScope();
        var weight = torch.randn(3, 2).to(ScalarType.Float16);
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["weight"] = weight, ["extra"] = torch.ones(1) });

        var linear = torch.nn.Linear(2, 3);
        using var file = SafetensorsFile.Open(path);
        var report = ModuleWeightLoader.Load(linear, [file]);

        Assert.Equal(["bias"], report.Missing);
        Assert.Equal(["extra"], report.Unexpected);
        Assert.True(torch.allclose(linear.weight!, weight.to(ScalarType.Float32)));
        var e = Assert.Throws<InputDataException>(() => report.ThrowIfMissing("unet"));
        Assert.Contains("bias", e.Message);
    }

    [Fact]
    public void A_shape_that_does_not_match_the_module_is_an_input_error()
    {
        using var dir = new TempDirectory();
        var path = dir.File("wrong.safetensors");
        using var scope = torch.NewDisposeScope();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["weight"] = torch.zeros(4, 2), ["bias"] = torch.zeros(3) });
        var linear = torch.nn.Linear(2, 3);
        using var file = SafetensorsFile.Open(path);
        var e = Assert.Throws<InputDataException>(() => ModuleWeightLoader.Load(linear, [file]));
        Assert.Contains("'weight'", e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Theory]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Int16)]
    [InlineData(ScalarType.Bool)]
    public void Integer_tensors_are_refused_as_float_weights_even_at_the_same_byte_size(ScalarType stored)
    {
        using var dir = new TempDirectory();
        var path = dir.File("ints.safetensors");
        using var scope = torch.NewDisposeScope();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor>
        {
            ["weight"] = torch.ones(3, 2).to(stored),
            ["bias"] = torch.zeros(3),
        });
        var linear = torch.nn.Linear(2, 3);
        using var file = SafetensorsFile.Open(path);

        var e = Assert.Throws<InputDataException>(() => ModuleWeightLoader.Load(linear, [file]));
        Assert.Contains(path, e.Message);
        Assert.Contains("tensor 'weight'", e.Message);
        Assert.Contains("floating-point", e.Message);
    }

    [Fact]
    public void Float_tensors_are_refused_as_integer_buffers()
    {
        using var dir = new TempDirectory();
        var path = dir.File("floats.safetensors");
        using var scope = torch.NewDisposeScope();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["ids"] = torch.zeros(4, dtype: ScalarType.Float32) });
        var module = new IdsBuffer();
        using var file = SafetensorsFile.Open(path);

        var e = Assert.Throws<InputDataException>(() => ModuleWeightLoader.Load(module, [file]));
        Assert.Contains("tensor 'ids'", e.Message);
        Assert.Contains("F32", e.Message);
    }

    [Fact]
    public void Integer_buffers_load_from_integer_tensors_of_another_width()
    {
        using var dir = new TempDirectory();
        var path = dir.File("ids.safetensors");
        using var scope = torch.NewDisposeScope();
        SafetensorsWriter.Write(path, new Dictionary<string, Tensor> { ["ids"] = torch.tensor(new[] { 3, 1, 4, 1 }) });
        var module = new IdsBuffer();
        using var file = SafetensorsFile.Open(path);

        Assert.True(ModuleWeightLoader.Load(module, [file]).Complete);
        Assert.Equal(new long[] { 3, 1, 4, 1 }, module.Ids.data<long>().ToArray());
    }

    private sealed class IdsBuffer : torch.nn.Module
    {
        public IdsBuffer() : base(nameof(IdsBuffer))
        {
            Ids = torch.zeros(4, dtype: ScalarType.Int64);
            register_buffer("ids", Ids);
        }

        public Tensor Ids { get; }
    }

    [Fact]
    public void Reads_the_reference_fixture_weights_in_f32_and_f16_identically()
    {
        if (!SharedFixtures.Available) Assert.Fail("shared fixtures missing: " + SharedFixtures.Directory);
        using var f32 = SafetensorsFile.Open(SharedFixtures.Path("sd-parity", "tiny-sd1", "model", "unet", "diffusion_pytorch_model.safetensors"));
        using var f16 = SafetensorsFile.Open(SharedFixtures.Path("sd-parity", "tiny-sd1", "model", "unet", "diffusion_pytorch_model.fp16.safetensors"));
        Assert.Equal(f32.Tensors.Keys.OrderBy(k => k), f16.Tensors.Keys.OrderBy(k => k));
        var name = f32.Tensors.Keys.First();
        using var scope = torch.NewDisposeScope();
        var a = f32.Load(name);
        var b = f16.Load(name, ScalarType.Float32);
        Assert.True(torch.allclose(a, b, rtol: 1e-3, atol: 1e-3));
    }
}
