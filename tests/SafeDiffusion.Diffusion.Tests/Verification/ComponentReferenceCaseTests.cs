using System.Text.Json.Nodes;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Verification;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Diffusion.Tests.Verification;

public class ComponentReferenceCaseTests
{
    public ComponentReferenceCaseTests() => LibTorchRuntime.EnsureLoadable();

    private static (string Model, string Cases) Set(string group, string set) =>
        (SharedFixtures.Path(group, set, "model"), SharedFixtures.Path(group, set, "cases"));

    public static TheoryData<string, string, string, int> Cases => new()
    {
        // kind, fixture group, set, results expected
        { "tokenizer", "sd-parity", "tiny-sd1", 10 },
        { "tokenizer", "sd-parity", "tiny-sd2", 10 },
        { "text_encoder", "sd-parity", "tiny-sd1", 1 },
        { "text_encoder", "sd-parity", "tiny-sd2", 1 },
        { "clip_vision", "safety-checker", "tiny-safety-checker", 3 },
        { "safety_checker", "safety-checker", "tiny-safety-checker", 4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_component_case_passes_on_the_reference_sets(string kind, string group, string set, int expectedResults)
    {
        var referenceCase = ReferenceCases.All.Single(c => c.Name == kind);
        var (model, cases) = Set(group, set);
        Assert.True(referenceCase.IsPresent(cases));
        var results = referenceCase.Run(model, cases);
        Assert.Equal(expectedResults, results.Count);
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Case}: error {r.MaxAbsError} > tolerance {r.Tolerance} ({r.Detail})"));
    }

    [Fact]
    public void The_verifier_runs_the_component_kinds_present_and_skips_the_rest()
    {
        var (model, cases) = Set("safety-checker", "tiny-safety-checker");
        var verifier = new ReferenceCaseVerifier([new TokenizerCase(), new TextEncoderCase(), new ClipVisionCase(), new SafetyCheckerCase()]);
        var report = verifier.Run(model, cases);
        Assert.True(report.Passed);
        Assert.Equal(["clip_vision", "safety_checker"], report.Cases.Select(c => c.Case));
        Assert.Equal(["tokenizer", "text_encoder"], report.Skipped);
    }

    [Fact]
    public void A_wrong_reference_id_is_reported_as_a_mismatch_not_a_pass()
    {
        using var dir = new TempDirectory("cases");
        var (model, cases) = Set("sd-parity", "tiny-sd1");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(cases, "tokenizer.json")))!.AsArray();
        // Change one id of the first case in both lists (position 5 is "astronaut</w>").
        json[0]!["ids"]![5] = 18377;
        json[0]!["padded"]![5] = 18377;
        File.WriteAllText(dir.File("tokenizer.json"), json.ToJsonString());
        var results = new TokenizerCase().Run(model, dir.Path);
        Assert.False(results[0].Passed);
        Assert.True(results[0].MaxAbsError >= 2); // once in ids, once in padded
        Assert.All(results.Skip(1), r => Assert.True(r.Passed));
    }

    [Fact]
    public void A_malformed_tokenizer_case_names_the_entry_and_field()
    {
        using var dir = new TempDirectory("cases");
        File.WriteAllText(dir.File("tokenizer.json"), """[{"text": "a", "ids": [49406, 320, 49407], "padded": "oops"}]""");
        var (model, _) = Set("sd-parity", "tiny-sd1");
        var e = Assert.Throws<InputDataException>(() => new TokenizerCase().Run(model, dir.Path));
        Assert.Contains("[0].padded", e.Message);
        Assert.Contains(dir.File("tokenizer.json"), e.Message);
    }

    [Fact]
    public void Safety_checker_case_needs_both_of_its_files()
    {
        using var dir = new TempDirectory("cases");
        File.Copy(Path.Combine(Set("safety-checker", "tiny-safety-checker").Cases, "safety_checker.json"), dir.File("safety_checker.json"));
        Assert.False(new SafetyCheckerCase().IsPresent(dir.Path));
    }

    [Fact]
    public void A_case_whose_component_folder_is_missing_names_that_folder()
    {
        var (_, cases) = Set("safety-checker", "tiny-safety-checker");
        using var empty = new TempDirectory("model");
        var e = Assert.Throws<InputDataException>(() => new ClipVisionCase().Run(empty.Path, cases));
        Assert.Contains(Path.Combine(empty.Path, "safety_checker"), e.Message);
    }
}
