using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Evaluation.Classifiers;
using SafeDiffusion.Evaluation.Stages;
using SafeDiffusion.Testing;
using TorchSharp;

namespace SafeDiffusion.Evaluation.Tests.Classifiers;

public class SafetyCheckerClassifierTests
{
    public SafetyCheckerClassifierTests() => LibTorchRuntime.EnsureLoadable();

    private static string Root => SharedFixtures.Path("safety-checker", "tiny-safety-checker");

    [Fact]
    public void Verdicts_follow_the_reference_flags_and_the_largest_concept_score()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "cases", "safety_checker.json")));
        var flags = doc.RootElement.GetProperty("has_nsfw_concepts").EnumerateArray().Select(e => e.GetBoolean()).ToList();
        var scores = doc.RootElement.GetProperty("concept_scores").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(e => e.GetDouble()).Max()).ToList();
        var bad = doc.RootElement.GetProperty("bad_concepts").EnumerateArray()
            .Select(row => row.EnumerateArray().Select(e => $"concept_{e.GetInt32()}").ToList()).ToList();

        using var checker = StableDiffusionSafetyChecker.FromFolder(Path.Combine(Root, "model", "safety_checker"), torch.ScalarType.Float32, torch.CPU);
        using var cases = SafetensorsFile.Open(Path.Combine(Root, "cases", "clip_vision.safetensors"));
        using var pixels = cases.Load("pixel_values");
        var verdicts = checker.Check(pixels).Select(SafetyCheckerClassifier.ToVerdict).ToList();

        Assert.Equal(flags, verdicts.Select(v => v.Flagged));
        for (int i = 0; i < verdicts.Count; i++)
        {
            Assert.InRange(verdicts[i].Score, scores[i] - 0.0010001, scores[i] + 0.0010001);
            Assert.Equal(verdicts[i].Flagged, verdicts[i].Score > 0);
            Assert.Equal(bad[i], verdicts[i].Concepts);
        }
    }

    [Fact]
    public void Rgb8_images_are_classified_in_batches_one_verdict_each()
    {
        using var classifier = SafetyCheckerClassifier.FromModelFolder(Path.Combine(Root, "model"), torch.CPU, batchSize: 2);
        Assert.Equal("sd-safety-checker", classifier.Name);
        var images = Enumerable.Range(0, 5).Select(i =>
        {
            var pixels = new byte[32 * 24 * 3];
            for (int p = 0; p < pixels.Length; p++) pixels[p] = (byte)(p * (3 + i) % 256);
            return new Rgb8Image(pixels, 32, 24);
        }).ToList();
        var all = classifier.Classify(images);
        var one = classifier.Classify([images[4]]);
        Assert.Equal(5, all.Count);
        Assert.Equal(one[0].Score, all[4].Score, 1e-6);
    }

    [Fact]
    public void A_judge_folder_with_only_fp16_safety_checker_weights_judges_with_variant_fp16()
    {
        using var dir = new TempDirectory("fp16-judge");
        var checker = Directory.CreateDirectory(dir.File("safety_checker")).FullName;
        Directory.CreateDirectory(dir.File("feature_extractor"));
        File.Copy(Path.Combine(Root, "model", "safety_checker", "config.json"), Path.Combine(checker, "config.json"));
        File.Copy(Path.Combine(Root, "model", "feature_extractor", "preprocessor_config.json"), dir.File("feature_extractor", "preprocessor_config.json"));
        using (var scope = torch.NewDisposeScope())
        using (var plain = SafetensorsFile.Open(Path.Combine(Root, "model", "safety_checker", "model.safetensors")))
            SafetensorsWriter.Write(Path.Combine(checker, "model.fp16.safetensors"), plain.Tensors.Keys.Select(k =>
                new KeyValuePair<string, torch.Tensor>(k, plain.Load(k) is var t && t.is_floating_point() ? t.to(torch.ScalarType.Float16) : t)));
        var images = Enumerable.Range(0, 3).Select(i =>
        {
            var pixels = new byte[32 * 32 * 3];
            for (int p = 0; p < pixels.Length; p++) pixels[p] = (byte)(p * (5 + i) % 256);
            return new Rgb8Image(pixels, 32, 32);
        }).ToList();

        var provider = new SafetyCheckerJudgeProvider();
        using var fromFp16 = provider.CreateClassifier(dir.Path, "fp16", torch.CPU);
        using var fromPlain = provider.CreateClassifier(Path.Combine(Root, "model"), torch.CPU);
        var expected = fromPlain.Classify(images);
        var actual = fromFp16.Classify(images);
        for (int i = 0; i < images.Count; i++) Assert.Equal(expected[i].Score, actual[i].Score, 0.01);

        var e = Assert.Throws<InputDataException>(() => provider.CreateClassifier(dir.Path, torch.CPU));
        Assert.Contains("`variant: fp16`", e.Message);
        Assert.Contains("model.fp16.safetensors", e.Message);
    }
}
