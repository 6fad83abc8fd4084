using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Classifiers.Onnx;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Evaluation.Tests.Classifiers;

public class OnnxClassifierSpecTests
{
    private static OnnxClassifierSpec Read(string json)
    {
        using var dir = new TempDirectory("spec");
        File.WriteAllText(dir.File("m.json"), json);
        return OnnxClassifierSpec.Read(dir.File("m.json"), "m");
    }

    private static InputDataException Fails(string json)
    {
        using var dir = new TempDirectory("spec");
        File.WriteAllText(dir.File("m.json"), json);
        var e = Assert.Throws<InputDataException>(() => OnnxClassifierSpec.Read(dir.File("m.json"), "m"));
        Assert.Contains("m.json", e.Message);
        return e;
    }

    [Fact]
    public void A_minimal_file_takes_the_documented_defaults()
    {
        var spec = Read("""{"width": 224, "height": 200, "labels": ["ok", "bad"], "harmful_labels": ["bad"]}""");
        Assert.Equal("m", spec.Name);
        Assert.Equal((224, 200), (spec.Width, spec.Height));
        Assert.Equal(OnnxTensorLayout.Nchw, spec.Layout);
        Assert.Equal(OnnxChannelOrder.Rgb, spec.ChannelOrder);
        Assert.Equal(PillowFilter.Bilinear, spec.Resize);
        Assert.Equal(1 / 255.0, spec.Scale, 1e-15);
        Assert.Equal([0.0, 0.0, 0.0], spec.Mean);
        Assert.Equal([1.0, 1.0, 1.0], spec.Std);
        Assert.Equal(OnnxOutputActivation.None, spec.Activation);
        Assert.Equal(OnnxScoreCombine.Sum, spec.Combine);
        Assert.Equal(0.5, spec.Threshold);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var spec = Read("""
            {"name": "n", "input_name": "in", "output_name": "out", "width": 8, "height": 9, "layout": "NHWC",
             "channel_order": "bgr", "resize": "bicubic", "scale": 1.0, "mean": [104, 117, 123], "std": [1, 2, 3],
             "activation": "sigmoid", "labels": ["a", "b", "c"], "harmful_labels": ["b", "c"], "combine": "max", "threshold": 0.7}
            """);
        Assert.Equal(("n", "in", "out"), (spec.Name, spec.InputName, spec.OutputName));
        Assert.Equal(OnnxTensorLayout.Nhwc, spec.Layout);
        Assert.Equal(OnnxChannelOrder.Bgr, spec.ChannelOrder);
        Assert.Equal(PillowFilter.Bicubic, spec.Resize);
        Assert.Equal([104.0, 117, 123], spec.Mean);
        Assert.Equal(OnnxOutputActivation.Sigmoid, spec.Activation);
        Assert.Equal(["b", "c"], spec.HarmfulLabels);
        Assert.Equal(OnnxScoreCombine.Max, spec.Combine);
        Assert.Equal(0.7, spec.Threshold);
    }

    [Theory]
    [InlineData("""{"height": 9, "labels": ["a"], "harmful_labels": ["a"]}""", "width")]
    [InlineData("""{"width": 0, "height": 9, "labels": ["a"], "harmful_labels": ["a"]}""", "width")]
    [InlineData("""{"width": 8, "height": 9, "labels": ["a"], "harmful_labels": ["b"]}""", "harmful_labels")]
    [InlineData("""{"width": 8, "height": 9, "labels": ["a", "a"], "harmful_labels": ["a"]}""", "labels")]
    [InlineData("""{"width": 8, "height": 9, "labels": [], "harmful_labels": ["a"]}""", "labels")]
    [InlineData("""{"width": 8, "height": 9, "labels": ["a"], "harmful_labels": []}""", "harmful_labels")]
    [InlineData("""{"width": 8, "height": 9, "labels": ["a"], "harmful_labels": ["a"], "mean": [1, 2]}""", "mean")]
    [InlineData("""{"width": 8, "height": 9, "labels": ["a"], "harmful_labels": ["a"], "std": [1, 0, 1]}""", "std")]
    [InlineData("""{"width": 8, "height": 9, "labels": ["a"], "harmful_labels": ["a"], "layout": "chw"}""", "layout")]
    [InlineData("""{"width": 8, "height": 9, "labels": ["a"], "harmful_labels": ["a"], "treshold": 0.3}""", "treshold")]
    [InlineData("""{"width": "8", "height": 9, "labels": ["a"], "harmful_labels": ["a"]}""", "width")]
    public void A_bad_value_names_the_file_and_the_key(string json, string field)
    {
        Assert.Equal(field, Fails(json).Field);
    }

    [Fact]
    public void Json_that_does_not_parse_names_the_file()
    {
        Assert.Contains("not valid JSON", Fails("{\"width\": 8,,}").Message);
    }

    [Fact]
    public void Sum_scores_exclusive_labels_together_and_max_takes_the_strongest()
    {
        var spec = new OnnxClassifierSpec { Width = 1, Height = 1, Labels = ["safe", "porn", "gore"], HarmfulLabels = ["porn", "gore"], Threshold = 0.5 };
        var sum = OnnxHarmClassifier.Judge(spec, [0.4, 0.35, 0.25]);
        Assert.True(sum.Flagged);
        Assert.Equal(0.6, sum.Score, 1e-12);
        Assert.Equal("porn", sum.Category);
        Assert.Empty(sum.Concepts!);

        var max = OnnxHarmClassifier.Judge(spec with { Combine = OnnxScoreCombine.Max }, [0.4, 0.35, 0.25]);
        Assert.False(max.Flagged);
        Assert.Equal(0.35, max.Score, 1e-12);
        Assert.Null(max.Category);
    }

    [Fact]
    public void Softmax_and_sigmoid_activations_follow_their_definitions()
    {
        var softmax = OnnxHarmClassifier.Activate([1.0, 2.0, 3.0], OnnxOutputActivation.Softmax);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal(Math.Exp(3) / z, softmax[2], 1e-12);
        var sigmoid = OnnxHarmClassifier.Activate([0.0, Math.Log(3)], OnnxOutputActivation.Sigmoid);
        Assert.Equal(0.5, sigmoid[0], 1e-12);
        Assert.Equal(0.75, sigmoid[1], 1e-12);
    }
}
