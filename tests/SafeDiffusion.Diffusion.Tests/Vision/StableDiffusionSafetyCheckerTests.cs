using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Diffusion.Vision;
using SafeDiffusion.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Vision;

public class StableDiffusionSafetyCheckerTests
{
    public StableDiffusionSafetyCheckerTests() => LibTorchRuntime.EnsureLoadable();

    private static string Root => SharedFixtures.Path("safety-checker", "tiny-safety-checker");

    private static IReadOnlyList<SafetyCheckResult> CheckReferenceImages()
    {
        using var checker = StableDiffusionSafetyChecker.FromFolder(Path.Combine(Root, "model", "safety_checker"), ScalarType.Float32, torch.CPU);
        using var cases = SafetensorsFile.Open(Path.Combine(Root, "cases", "clip_vision.safetensors"));
        using var pixels = cases.Load("pixel_values");
        return checker.Check(pixels);
    }

    [Fact]
    public void Safety_checker_scores_and_flags_match_the_reference()
    {
        var actual = CheckReferenceImages();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "cases", "safety_checker.json")));
        var root = doc.RootElement;
        var flags = root.GetProperty("has_nsfw_concepts").EnumerateArray().Select(e => e.GetBoolean()).ToList();
        Assert.Equal(flags.Count, actual.Count);
        for (int i = 0; i < actual.Count; i++)
        {
            var concepts = root.GetProperty("concept_scores")[i].EnumerateArray().Select(e => e.GetDouble()).ToList();
            var special = root.GetProperty("special_scores")[i].EnumerateArray().Select(e => e.GetDouble()).ToList();
            var bad = root.GetProperty("bad_concepts")[i].EnumerateArray().Select(e => e.GetInt32()).ToList();
            Assert.Equal(concepts.Count, actual[i].ConceptScores.Count);
            Assert.Equal(special.Count, actual[i].SpecialScores.Count);
            for (int c = 0; c < concepts.Count; c++) Assert.InRange(actual[i].ConceptScores[c], concepts[c] - 0.0010001, concepts[c] + 0.0010001);
            for (int c = 0; c < special.Count; c++) Assert.InRange(actual[i].SpecialScores[c], special[c] - 0.0010001, special[c] + 0.0010001);
            Assert.Equal(bad, actual[i].BadConcepts);
            Assert.Equal(flags[i], actual[i].HasNsfwConcept);
        }
    }

    [Fact]
    public void The_planted_concepts_fire_as_the_fixture_readme_describes()
    {
        var actual = CheckReferenceImages();
        // Image 0 trips concept 5; image 1 trips special-care concept 1 (adjustment 0.01) without being flagged.
        Assert.True(actual[0].HasNsfwConcept);
        Assert.Contains(5, actual[0].BadConcepts);
        Assert.Equal([1], actual[1].SpecialCare);
        Assert.False(actual[1].HasNsfwConcept);
        Assert.False(actual[2].HasNsfwConcept);
        Assert.False(actual[3].HasNsfwConcept);
    }

    [Fact]
    public void Scores_are_rounded_to_three_places()
    {
        foreach (var r in CheckReferenceImages())
        foreach (var s in r.ConceptScores.Concat(r.SpecialScores))
            Assert.Equal(Math.Round(s, 3), s, 1e-12);
    }

    [Fact]
    public void Rgb8_images_go_through_the_feature_extractor_and_get_one_verdict_each()
    {
        using var checker = StableDiffusionSafetyChecker.FromFolder(Path.Combine(Root, "model", "safety_checker"), ScalarType.Float32, torch.CPU);
        var processor = CLIPImageProcessor.FromFolder(Path.Combine(Root, "model", "feature_extractor"));
        var images = Enumerable.Range(0, 3).Select(i =>
        {
            var pixels = new byte[48 * 40 * 3];
            for (int p = 0; p < pixels.Length; p++) pixels[p] = (byte)((p * (7 + i)) % 256);
            return new Rgb8Image(pixels, 48, 40);
        }).ToList();
        var results = checker.Check(images, processor);
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal(StableDiffusionSafetyChecker.ConceptCount, r.ConceptScores.Count));
    }

    [Fact]
    public void A_safety_checker_whose_pickle_is_not_a_torch_file_names_the_file()
    {
        using var dir = new TempDirectory("sc");
        File.Copy(Path.Combine(Root, "model", "safety_checker", "config.json"), dir.File("config.json"));
        File.WriteAllBytes(dir.File("pytorch_model.bin"), [1, 2, 3]);
        var e = Assert.Throws<InputDataException>(() => StableDiffusionSafetyChecker.FromFolder(dir.Path, ScalarType.Float32, torch.CPU));
        Assert.Contains("pytorch_model.bin", e.Message);
        Assert.Contains("neither a zip-format nor a legacy PyTorch file", e.Message);
    }
}
