using System.Collections;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Checkpoints;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Testing;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Checkpoints;

public class PthStateDictTests
{
    public PthStateDictTests() => LibTorchRuntime.EnsureLoadable();

    private static Dictionary<string, Tensor> Sample() => new()
    {
        ["layer.weight"] = torch.arange(6, ScalarType.Float32).reshape(2, 3) * 0.5f,
        ["layer.bias"] = torch.tensor(new double[] { -1.25, 3.5 }),
        ["bn.num_batches_tracked"] = torch.tensor(7L),
        ["emb"] = torch.tensor(new byte[] { 1, 2, 250 }),
    };

    private static void AssertSameTensors(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        foreach (var (name, e) in expected)
        {
            var a = actual[name];
            Assert.Equal(e.dtype, a.dtype);
            Assert.Equal(e.shape, a.shape);
            Assert.True(e.Equals(a), $"{name} differs");
        }
    }

    [Fact]
    public void A_legacy_file_reads_back_every_tensor_with_its_type_and_shape()
    {
        using var dir = new TempDirectory("pth");
        var sample = Sample();
        LegacyPthWriter.Write(dir.File("legacy.pth"), sample);
        using var read = PthStateDict.Read(dir.File("legacy.pth"));
        Assert.Equal(PthFormat.Legacy, read.Format);
        AssertSameTensors(sample, read.Tensors);
    }

    [Fact]
    public void Legacy_tensors_that_view_one_storage_with_offsets_and_strides_are_materialised_as_views()
    {
        using var dir = new TempDirectory("pth");
        var storage = torch.arange(12, ScalarType.Float32);
        LegacyPthWriter.Write(dir.File("views.pth"),
        [
            // Offset 2, shape [2, 3], strides [1, 2]: element (i, j) is storage[2 + i + 2j].
            new LegacyPthWriter.Entry("a", "s0", storage, 2, [2, 3], [1, 2]),
            new LegacyPthWriter.Entry("b", "s0", storage, 10, [2], [1]),
        ]);
        using var read = PthStateDict.Read(dir.File("views.pth"));
        Assert.Equal(new float[] { 2, 4, 6, 3, 5, 7 }, read.Tensors["a"].data<float>().ToArray());
        Assert.Equal(new float[] { 10, 11 }, read.Tensors["b"].data<float>().ToArray());
    }

    [Fact]
    public void A_zip_file_written_by_pybridge_reads_back_through_pybridge()
    {
        using var dir = new TempDirectory("pth");
        var sample = Sample();
        using (var stream = File.Create(dir.File("zip.pth")))
            PyTorchPickler.PickleStateDict(stream, (IDictionary)sample);
        using var read = PthStateDict.Read(dir.File("zip.pth"));
        Assert.Equal(PthFormat.Zip, read.Format);
        AssertSameTensors(sample, read.Tensors);
    }

    [Fact]
    public void Conversion_to_safetensors_keeps_names_types_shapes_and_values()
    {
        using var dir = new TempDirectory("pth");
        var sample = Sample();
        LegacyPthWriter.Write(dir.File("in.pth"), sample);
        var result = PthToSafetensorsConverter.Convert(dir.File("in.pth"), dir.File("out", "model.safetensors"));
        Assert.Equal(4, result.TensorCount);
        Assert.Equal(PthFormat.Legacy, result.SourceFormat);
        using var file = SafetensorsFile.Open(dir.File("out", "model.safetensors"));
        Assert.Equal("in.pth", file.Metadata["converted_from"]);
        var loaded = sample.Keys.ToDictionary(k => k, k => file.Load(k));
        AssertSameTensors(sample, loaded);
    }

    [Fact]
    public void A_file_that_is_no_pytorch_file_is_an_input_error()
    {
        using var dir = new TempDirectory("pth");
        File.WriteAllText(dir.File("notes.pth"), "hello");
        var e = Assert.Throws<InputDataException>(() => PthStateDict.Read(dir.File("notes.pth")));
        Assert.Contains("notes.pth", e.Message);
    }

    [Fact]
    public void A_truncated_legacy_file_is_an_input_error_not_a_crash()
    {
        using var dir = new TempDirectory("pth");
        LegacyPthWriter.Write(dir.File("full.pth"), Sample());
        var bytes = File.ReadAllBytes(dir.File("full.pth"));
        File.WriteAllBytes(dir.File("cut.pth"), bytes[..(bytes.Length - 5)]);
        var e = Assert.Throws<InputDataException>(() => PthStateDict.Read(dir.File("cut.pth")));
        Assert.Contains("cut.pth", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_pickle_that_calls_anything_but_tensor_rebuilding_is_refused()
    {
        using var dir = new TempDirectory("pth");
        LegacyPthWriter.Write(dir.File("ok.pth"), Sample());
        // Swap the OrderedDict constructor for os.system: the reader must refuse, never call.
        var bytes = File.ReadAllBytes(dir.File("ok.pth"));
        var text = System.Text.Encoding.Latin1.GetString(bytes);
        int at = text.IndexOf("ccollections\nOrderedDict\n", StringComparison.Ordinal);
        var evil = System.Text.Encoding.Latin1.GetBytes("cposix\nsystem\n");
        var patched = bytes[..at].Concat(evil).Concat(bytes[(at + "ccollections\nOrderedDict\n".Length)..]).ToArray();
        File.WriteAllBytes(dir.File("evil.pth"), patched);
        var e = Assert.Throws<InputDataException>(() => PthStateDict.Read(dir.File("evil.pth")));
        Assert.Contains("posix.system", e.Message);
    }
}
