using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Verification;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Pipelines;

public class ClipTextConditionerTests
{
    public ClipTextConditionerTests() => LibTorchRuntime.EnsureLoadable();

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void Prompt_text_gives_the_embeddings_of_the_reference_token_ids(string set)
    {
        var settings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(SdParity.Case(set, "txt2img.json"))).RootElement;
        using var conditioner = ClipTextConditioner.FromModelFolder(SdParity.Model(set), ScalarType.Float32, CPU);
        using var encoder = ClipTextEncoder.FromModelFolder(SdParity.Model(set), ScalarType.Float32, CPU);
        using var cases = CaseTensors.Open(SdParity.Case(set, "txt2img.safetensors"));
        using var scope = NewDisposeScope();

        var fromText = conditioner.Encode([settings.GetProperty("prompt").GetString()!, settings.GetProperty("negative_prompt").GetString()!]);
        var fromIds = encoder.Encode(cat([cases.Require("prompt_ids"), cases.Require("uncond_ids")]));

        Assert.Equal(fromIds.shape, fromText.shape);
        Assert.True(fromText.allclose(fromIds, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_prompt_longer_than_77_tokens_is_truncated_and_reported_once()
    {
        var warnings = new List<string>();
        using var conditioner = ClipTextConditioner.FromModelFolder(SdParity.Model(SdParity.Sd1), ScalarType.Float32, CPU, onTruncated: warnings.Add);
        using var scope = NewDisposeScope();
        var longPrompt = string.Join(" ", Enumerable.Repeat("a red apple", 40));

        var first = conditioner.Encode(["a short prompt", longPrompt]);
        conditioner.Encode([longPrompt + " again"]);

        Assert.Equal([2L, 77L], first.shape[..2]);
        var warning = Assert.Single(warnings);
        Assert.Contains("77 tokens", warning);
        Assert.Contains("a red apple", warning);
    }
}
