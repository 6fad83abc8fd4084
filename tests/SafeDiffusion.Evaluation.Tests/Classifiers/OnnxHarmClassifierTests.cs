using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Classifiers.Onnx;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Evaluation.Tests.Classifiers;

public class OnnxHarmClassifierTests
{
    public OnnxHarmClassifierTests() => LibTorchRuntime.EnsureLoadable();

    private static readonly float[,] Weights = { { 2.0f, -1.0f }, { -0.5f, 1.5f }, { 1.0f, 0.25f } };
    private static readonly float[] Bias = [0.1f, -0.2f];
    private static readonly double[] Mean = [0.5, 0.25, 0.0];
    private static readonly double[] Std = [0.5, 0.25, 2.0];

    private static string SpecJson(string extra = "", string layout = "nchw", string order = "rgb") => $$"""
        {
          "width": 4, "height": 4, "layout": "{{layout}}", "channel_order": "{{order}}",
          "mean": [0.5, 0.25, 0.0], "std": [0.5, 0.25, 2.0],
          "labels": ["safe", "nsfw"], "harmful_labels": ["nsfw"], "threshold": 0.5{{extra}}
        }
        """;

    private static string WriteModel(TempDirectory dir, string json, bool nhwc = false, long?[]? dims = null)
    {
        var onnx = dir.File("tiny.onnx");
        File.WriteAllBytes(onnx, TinyOnnxModel.Build(Weights, Bias, dims ?? (nhwc ? [null, 4, 4, 3] : [null, 3, 4, 4]), nhwc));
        File.WriteAllText(dir.File("tiny.json"), json);
        return onnx;
    }

    private static Rgb8Image Image(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i * 37 + seed * 91 + i / 3 * 11) % 256);
        return new Rgb8Image(pixels, width, height);
    }

    /// <summary>softmax(mean_c((v / 255 - mean_c) / std_c) . W + b) computed directly from the definition.</summary>
    private static double[] Expected(Rgb8Image image, bool bgr)
    {
        var channelMeans = new double[3];
        int n = image.Width * image.Height;
        for (int c = 0; c < 3; c++)
        {
            int source = bgr ? 2 - c : c;
            double sum = 0;
            for (int p = 0; p < n; p++) sum += (image.Pixels[p * 3 + source] / 255.0 - Mean[c]) / Std[c];
            channelMeans[c] = sum / n;
        }
        var logits = new double[2];
        for (int k = 0; k < 2; k++)
        {
            logits[k] = Bias[k];
            for (int c = 0; c < 3; c++) logits[k] += channelMeans[c] * Weights[c, k];
        }
        double max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        return exp.Select(e => e / exp.Sum()).ToArray();
    }

    [Theory]
    [InlineData("nchw", "rgb")]
    [InlineData("nhwc", "rgb")]
    [InlineData("nchw", "bgr")]
    [InlineData("nhwc", "bgr")]
    public void Probabilities_match_a_hand_computation_of_the_tiny_network(string layout, string order)
    {
        using var dir = new TempDirectory("onnx");
        var onnx = WriteModel(dir, SpecJson(layout: layout, order: order), nhwc: layout == "nhwc");
        using var classifier = OnnxHarmClassifier.FromFile(onnx, batchSize: 2);
        var images = Enumerable.Range(0, 3).Select(i => Image(4, 4, i)).ToList();

        var probabilities = classifier.Probabilities(images);
        var verdicts = classifier.Classify(images);

        Assert.Equal(3, probabilities.Count);
        for (int i = 0; i < images.Count; i++)
        {
            var expected = Expected(images[i], bgr: order == "bgr");
            Assert.Equal(expected[0], probabilities[i][0], 1e-5);
            Assert.Equal(expected[1], probabilities[i][1], 1e-5);
            Assert.Equal(expected[1], verdicts[i].Score, 1e-5);
            Assert.Equal(expected[1] >= 0.5, verdicts[i].Flagged);
        }
    }

    [Fact]
    public void Bgr_order_changes_the_result_so_the_channel_swap_is_real()
    {
        using var dir = new TempDirectory("onnx");
        var image = Image(4, 4, 5);
        double rgb, bgr;
        using (var c = OnnxHarmClassifier.FromFile(WriteModel(dir, SpecJson()))) rgb = c.Classify([image])[0].Score;
        using (var c = OnnxHarmClassifier.FromFile(WriteModel(dir, SpecJson(order: "bgr")))) bgr = c.Classify([image])[0].Score;
        Assert.NotEqual(rgb, bgr, 3);
    }

    [Fact]
    public void Images_of_another_size_are_resized_to_the_spec_size_first()
    {
        using var dir = new TempDirectory("onnx");
        using var classifier = OnnxHarmClassifier.FromFile(WriteModel(dir, SpecJson()));
        // A flat colour stays the same flat colour under any resampling filter.
        var pixels = new byte[10 * 6 * 3];
        for (int q = 0; q < 60; q++) (pixels[q * 3], pixels[q * 3 + 1], pixels[q * 3 + 2]) = ((byte)200, (byte)30, (byte)90);
        var big = new Rgb8Image(pixels, 10, 6);
        var small = new Rgb8Image(pixels[..48], 4, 4);

        var p = classifier.Probabilities([big, small]);

        Assert.Equal(Expected(small, bgr: false)[1], p[0][1], 1e-5);
        Assert.Equal(p[1][1], p[0][1], 1e-6);
    }

    [Fact]
    public void A_model_with_fixed_batch_one_runs_image_by_image()
    {
        using var dir = new TempDirectory("onnx");
        using var classifier = OnnxHarmClassifier.FromFile(WriteModel(dir, SpecJson(), dims: [1, 3, 4, 4]), batchSize: 8);
        Assert.Equal(1, classifier.BatchSize);
        var images = Enumerable.Range(0, 3).Select(i => Image(4, 4, i)).ToList();
        var verdicts = classifier.Classify(images);
        for (int i = 0; i < 3; i++) Assert.Equal(Expected(images[i], false)[1], verdicts[i].Score, 1e-5);
    }

    [Fact]
    public void The_name_defaults_to_the_model_file_stem_and_the_json_can_set_it()
    {
        using var dir = new TempDirectory("onnx");
        using (var c = OnnxHarmClassifier.FromFile(WriteModel(dir, SpecJson()))) Assert.Equal("tiny", c.Name);
        using (var c = OnnxHarmClassifier.FromFile(WriteModel(dir, SpecJson(", \"name\": \"my-nsfw\"")))) Assert.Equal("my-nsfw", c.Name);
    }

    [Fact]
    public void A_spec_width_that_contradicts_the_models_fixed_width_names_the_field()
    {
        using var dir = new TempDirectory("onnx");
        var onnx = WriteModel(dir, SpecJson().Replace("\"width\": 4", "\"width\": 5"));
        var e = Assert.Throws<InputDataException>(() => OnnxHarmClassifier.FromFile(onnx));
        Assert.Equal("width", e.Field);
        Assert.Contains("tiny.json", e.Message);
    }

    [Fact]
    public void An_nhwc_spec_for_an_nchw_model_is_refused_at_load()
    {
        using var dir = new TempDirectory("onnx");
        var onnx = WriteModel(dir, SpecJson(layout: "nhwc"), nhwc: false);
        var e = Assert.Throws<InputDataException>(() => OnnxHarmClassifier.FromFile(onnx));
        Assert.Equal("layout", e.Field);
    }

    [Fact]
    public void More_labels_than_model_outputs_is_refused_at_load()
    {
        using var dir = new TempDirectory("onnx");
        var json = SpecJson().Replace("[\"safe\", \"nsfw\"]", "[\"safe\", \"nsfw\", \"gore\"]");
        var e = Assert.Throws<InputDataException>(() => OnnxHarmClassifier.FromFile(WriteModel(dir, json)));
        Assert.Equal("labels", e.Field);
        Assert.Contains("2 values", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_an_input_error_naming_it()
    {
        using var dir = new TempDirectory("onnx");
        File.WriteAllBytes(dir.File("junk.onnx"), [1, 2, 3, 4, 5]);
        File.WriteAllText(dir.File("junk.json"), SpecJson());
        var e = Assert.Throws<InputDataException>(() => OnnxHarmClassifier.FromFile(dir.File("junk.onnx")));
        Assert.Contains("junk.onnx", e.Message);
    }

    [Fact]
    public void A_missing_description_file_says_what_is_expected_beside_the_model()
    {
        using var dir = new TempDirectory("onnx");
        File.WriteAllBytes(dir.File("m.onnx"), TinyOnnxModel.Build(Weights, Bias, [null, 3, 4, 4], nhwc: false));
        var e = Assert.Throws<InputDataException>(() => OnnxHarmClassifier.FromFile(dir.File("m.onnx")));
        Assert.Contains("m.json", e.Message);
        Assert.Contains("does not exist", e.Message);
    }
}
