using System.Collections;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Checkpoints;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Tests.Checkpoints;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Features;
using SafeDiffusion.Evaluation.Features.Inception;
using SafeDiffusion.Testing;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Tests.Features;

public class FidInceptionV3Tests
{
    public FidInceptionV3Tests() => LibTorchRuntime.EnsureLoadable();

    /// <summary>The BasicConv2d layers of torchvision's Inception3 (aux_logits=False), written out from its source.</summary>
    private static IEnumerable<string> ConvLayers()
    {
        string[] a = ["branch1x1", "branch5x5_1", "branch5x5_2", "branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3", "branch_pool"];
        string[] b = ["branch3x3", "branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"];
        string[] c = ["branch1x1", "branch7x7_1", "branch7x7_2", "branch7x7_3", "branch7x7dbl_1", "branch7x7dbl_2", "branch7x7dbl_3",
            "branch7x7dbl_4", "branch7x7dbl_5", "branch_pool"];
        string[] d = ["branch3x3_1", "branch3x3_2", "branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3", "branch7x7x3_4"];
        string[] e = ["branch1x1", "branch3x3_1", "branch3x3_2a", "branch3x3_2b", "branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3a",
            "branch3x3dbl_3b", "branch_pool"];
        foreach (var stem in new[] { "Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "Conv2d_3b_1x1", "Conv2d_4a_3x3" }) yield return stem;
        foreach (var (block, layers) in new[] { ("Mixed_5b", a), ("Mixed_5c", a), ("Mixed_5d", a), ("Mixed_6a", b), ("Mixed_6b", c),
                     ("Mixed_6c", c), ("Mixed_6d", c), ("Mixed_6e", c), ("Mixed_7a", d), ("Mixed_7b", e), ("Mixed_7c", e) })
        foreach (var layer in layers)
            yield return $"{block}.{layer}";
    }

    [Fact]
    public void State_dict_names_are_those_of_the_pytorch_fid_checkpoint()
    {
        using var model = new FidInceptionV3();
        var expected = ConvLayers()
            .SelectMany(l => new[] { "conv.weight", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked" }.Select(s => $"{l}.{s}"))
            .Append("fc.weight").Append("fc.bias")
            .OrderBy(k => k, StringComparer.Ordinal);
        var actual = model.state_dict();
        Assert.Equal(expected, actual.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal([32L, 3, 3, 3], actual["Conv2d_1a_3x3.conv.weight"].shape);
        Assert.Equal([32L, 192, 1, 1], actual["Mixed_5b.branch_pool.conv.weight"].shape);
        Assert.Equal([128L, 128, 1, 7], actual["Mixed_6b.branch7x7_2.conv.weight"].shape);
        Assert.Equal([192L, 160, 7, 1], actual["Mixed_6c.branch7x7_3.conv.weight"].shape);
        Assert.Equal([384L, 384, 3, 1], actual["Mixed_7b.branch3x3_2b.conv.weight"].shape);
        Assert.Equal([192L, 2048, 1, 1], actual["Mixed_7c.branch_pool.conv.weight"].shape);
        Assert.Equal([1008L, 2048], actual["fc.weight"].shape);
    }

    [Fact]
    public void Parameter_count_is_torchvisions_inception_v3_without_aux_logits_and_with_1008_classes()
    {
        // torchvision lists 27,161,264 parameters for inception_v3 (with AuxLogits, 1000 classes). AuxLogits holds
        // 98,560 + 2,459,136 + 769,000 = 3,326,696 of them; 8 more classes add 8 * 2048 + 8 = 16,392.
        using var model = new FidInceptionV3();
        long count = model.parameters().Sum(p => p.NumberOfElements);
        Assert.Equal(27_161_264L - 3_326_696 + 16_392, count);
    }

    /// <summary>
    /// Zeroes a block and wires its pool branch as the identity on the first input channels (BN: scale 1, shift 0,
    /// mean 0, var 1), so the block's last channels are relu(pool(x)) / sqrt(1 + eps).
    /// </summary>
    private static void IsolatePoolBranch(nn.Module block, int inChannels)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, t) in block.state_dict())
        {
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
            if (name.EndsWith("bn.weight", StringComparison.Ordinal) || name.EndsWith("bn.running_var", StringComparison.Ordinal)) t.fill_(1);
            else t.zero_();
        }
        var w = block.state_dict()["branch_pool.conv.weight"];
        for (int i = 0; i < inChannels; i++) w[i, i, 0, 0] = 1;
        block.eval();
    }

    private static Tensor Input() =>
        torch.tensor(new float[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, [1, 1, 3, 3]).repeat(1, 4, 1, 1) * torch.tensor(new float[] { 1, 2, 3, 4 }).view(1, 4, 1, 1);

    private static readonly double BnScale = 1 / Math.Sqrt(1 + FidBasicConv2d.BatchNormEps);

    [Fact]
    public void InceptionA_and_C_average_pool_divides_by_in_image_cells_only()
    {
        using var a = new FidInceptionA(4, 32);
        IsolatePoolBranch(a, 4);
        using var c = new FidInceptionC(4, 16);
        IsolatePoolBranch(c, 4);
        using var x = Input();
        using var outA = a.forward(x);
        using var outC = c.forward(x);
        // Pool branch starts after 64 + 64 + 96 channels (A) or 3 * 192 (C). Corner cell (0, 0) averages the 2x2
        // in-image cells 1, 2, 4, 5 -> 3 (counting the padding would give 12 / 9); the centre averages all nine -> 5.
        for (int ch = 0; ch < 4; ch++)
        {
            Assert.Equal(3.0 * (ch + 1) * BnScale, outA[0, 224 + ch, 0, 0].item<float>(), 1e-4);
            Assert.Equal(5.0 * (ch + 1) * BnScale, outA[0, 224 + ch, 1, 1].item<float>(), 1e-4);
            Assert.Equal(3.0 * (ch + 1) * BnScale, outC[0, 576 + ch, 0, 0].item<float>(), 1e-4);
        }
    }

    [Fact]
    public void Mixed_7b_averages_without_padding_and_Mixed_7c_takes_the_max()
    {
        using var e1 = new FidInceptionE(4, FidInceptionEPool.AverageExcludingPadding);
        IsolatePoolBranch(e1, 4);
        using var e2 = new FidInceptionE(4, FidInceptionEPool.Max);
        IsolatePoolBranch(e2, 4);
        using var x = Input();
        using var avg = e1.forward(x);
        using var max = e2.forward(x);
        // Pool branch after 320 + 768 + 768 channels. Corner (0, 0): mean of 1, 2, 4, 5 is 3, max is 5;
        // edge (0, 1): mean of 1, 2, 3, 4, 5, 6 is 3.5, max 6.
        Assert.Equal(3.0 * BnScale, avg[0, 1856, 0, 0].item<float>(), 1e-4);
        Assert.Equal(3.5 * BnScale, avg[0, 1856, 0, 1].item<float>(), 1e-4);
        Assert.Equal(5.0 * BnScale, max[0, 1856, 0, 0].item<float>(), 1e-4);
        Assert.Equal(6.0 * 2 * BnScale, max[0, 1857, 0, 1].item<float>(), 1e-4);
    }

    [Fact]
    public void The_full_network_maps_the_declared_blocks()
    {
        using var model = new FidInceptionV3();
        var blocks = model.named_children().ToDictionary(c => c.name, c => c.module);
        Assert.Equal(FidInceptionEPool.AverageExcludingPadding, Assert.IsType<FidInceptionE>(blocks["Mixed_7b"]).Pool);
        Assert.Equal(FidInceptionEPool.Max, Assert.IsType<FidInceptionE>(blocks["Mixed_7c"]).Pool);
        Assert.IsType<FidInceptionA>(blocks["Mixed_5d"]);
        Assert.IsType<FidInceptionB>(blocks["Mixed_6a"]);
        Assert.IsType<FidInceptionC>(blocks["Mixed_6e"]);
        Assert.IsType<FidInceptionD>(blocks["Mixed_7a"]);
    }

    /// <summary>Random weights laid out as the real checkpoint: float tensors, int64 num_batches_tracked, positive variances.</summary>
    private static Dictionary<string, Tensor> RandomCheckpoint(bool withBatchCounts = true)
    {
        using var model = new FidInceptionV3();
        var generator = torch.manual_seed(11);
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model.state_dict())
        {
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                if (withBatchCounts) result[name] = torch.tensor(0L);
                continue;
            }
            var values = name.EndsWith("running_var", StringComparison.Ordinal)
                ? torch.rand(t.shape, generator: generator) + 0.5
                : torch.randn(t.shape, generator: generator) * 0.05;
            result[name] = values.contiguous();
        }
        return result;
    }

    private static void AssertLoaded(IReadOnlyDictionary<string, Tensor> expected, FidInceptionV3 model)
    {
        var actual = model.state_dict();
        foreach (var (name, t) in expected)
            Assert.True(t.to(actual[name].dtype).Equals(actual[name]), $"{name} did not load");
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Weights_load_from_a_zip_pth_written_by_pybridge()
    {
        using var dir = new TempDirectory("fid");
        var checkpoint = RandomCheckpoint();
        using (var stream = File.Create(dir.File("zip.pth"))) PyTorchPickler.PickleStateDict(stream, (IDictionary)checkpoint);
        using var fromZip = FidInceptionWeights.Load(dir.File("zip.pth"));
        AssertLoaded(checkpoint, fromZip);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Weights_load_from_a_legacy_pth_and_its_safetensors_conversion_and_give_the_same_features()
    {
        using var dir = new TempDirectory("fid");
        var checkpoint = RandomCheckpoint();
        LegacyPthWriter.Write(dir.File(FidInceptionWeights.ExpectedFileName), checkpoint);
        PthToSafetensorsConverter.Convert(dir.File(FidInceptionWeights.ExpectedFileName), dir.File("converted.safetensors"));

        using var fromLegacy = FidInceptionWeights.Load(dir.File(FidInceptionWeights.ExpectedFileName));
        using var fromSafetensors = FidInceptionWeights.Load(dir.File("converted.safetensors"));
        AssertLoaded(checkpoint, fromLegacy);
        AssertLoaded(checkpoint, fromSafetensors);
        Assert.Equal(ScalarType.Int64, fromSafetensors.state_dict()["Mixed_7c.branch_pool.bn.num_batches_tracked"].dtype);

        var pixels = new byte[40 * 30 * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 % 251);
        using var e1 = new InceptionFeatureExtractor(fromLegacy, torch.CPU, ownsModel: false);
        using var e2 = new InceptionFeatureExtractor(fromSafetensors, torch.CPU, ownsModel: false);
        var image = new Rgb8Image(pixels, 40, 30);
        using var f1 = e1.Extract([image]);
        using var f2 = e2.Extract([image]);
        Assert.Equal([1L, 2048], f1.shape);
        Assert.True(f1.Equals(f2));
        Assert.True(f1.isfinite().all().item<bool>());
        Assert.True(f1.min().item<float>() >= 0, "pool3 features follow a ReLU, so none is negative");
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void A_checkpoint_without_batch_counts_loads()
    {
        using var dir = new TempDirectory("fid");
        var checkpoint = RandomCheckpoint(withBatchCounts: false);
        SafetensorsWriter.Write(dir.File("w.safetensors"), checkpoint);
        using var model = FidInceptionWeights.Load(dir.File("w.safetensors"));
        AssertLoaded(checkpoint, model);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void A_checkpoint_missing_a_layer_names_it()
    {
        using var dir = new TempDirectory("fid");
        var checkpoint = RandomCheckpoint();
        checkpoint.Remove("Mixed_7c.branch_pool.conv.weight");
        SafetensorsWriter.Write(dir.File("w.safetensors"), checkpoint);
        var e = Assert.Throws<InputDataException>(() => FidInceptionWeights.Load(dir.File("w.safetensors")));
        Assert.Contains("Mixed_7c.branch_pool.conv.weight", e.Message);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Torchvisions_imagenet_weights_are_told_apart_from_the_fid_weights()
    {
        using var dir = new TempDirectory("fid");
        var checkpoint = RandomCheckpoint();
        checkpoint["AuxLogits.fc.bias"] = torch.zeros(1000);
        LegacyPthWriter.Write(dir.File("inception_v3_google.pth"), checkpoint);
        var e = Assert.Throws<InputDataException>(() => FidInceptionWeights.Load(dir.File("inception_v3_google.pth")));
        Assert.Contains("torchvision", e.Message);
    }
}
