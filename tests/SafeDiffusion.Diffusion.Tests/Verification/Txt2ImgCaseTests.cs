using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Verification;
using SafeDiffusion.Testing;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests.Verification;

public class Txt2ImgCaseTests
{
    private readonly ITestOutputHelper _output;

    public Txt2ImgCaseTests(ITestOutputHelper output)
    {
        LibTorchRuntime.EnsureLoadable();
        _output = output;
    }

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void Five_guided_pndm_steps_and_the_decoded_image_match_diffusers_within_1e3(string set)
    {
        var kind = new Txt2ImgCase(model => ClipTextEncoder.FromModelFolder(model, ScalarType.Float32, CPU));

        var results = kind.Run(SdParity.Model(set), SdParity.Cases(set));

        Assert.Equal(["txt2img.safetensors:latents_final", "txt2img.safetensors:image"], results.Select(r => r.Case));
        foreach (var r in results)
        {
            _output.WriteLine($"{set} {r.Case}: {r.MaxAbsError:E3} (tolerance {r.Tolerance:E3})");
            Assert.True(r.Passed, $"{set} {r.Case}: max abs error {r.MaxAbsError:E3} > {r.Tolerance:E3}");
        }
    }

    [Theory]
    [InlineData(SdParity.Sd1)]
    [InlineData(SdParity.Sd2)]
    public void The_reference_settings_are_five_pndm_steps_at_guidance_7_5(string set)
    {
        var settings = Txt2ImgCaseSettings.Read(SdParity.Case(set, "txt2img.json"));

        Assert.Equal("pndm", settings.Scheduler);
        Assert.Equal(5, settings.Steps);
        Assert.Equal(7.5, settings.GuidanceScale);
        Assert.Equal(0.18215, settings.VaeScalingFactor);
        Assert.Null(settings.Seed);
    }

    [Theory]
    [InlineData("""{"scheduler": "pndm", "guidance_scale": 7.5}""", "steps")]
    [InlineData("""{"scheduler": "lms", "steps": 5, "guidance_scale": 7.5}""", "scheduler")]
    [InlineData("""{"scheduler": "pndm", "steps": 5}""", "guidance_scale")]
    public void Settings_without_a_usable_value_name_the_key(string json, string field)
    {
        using var temp = new TempDirectory("txt2img");
        File.WriteAllText(temp.File("txt2img.json"), json);

        var error = Assert.Throws<InputDataException>(() => Txt2ImgCaseSettings.Read(temp.File("txt2img.json")));

        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void The_case_runs_only_when_both_of_its_files_are_present()
    {
        using var temp = new TempDirectory("txt2img");
        var kind = new Txt2ImgCase(_ => throw new InvalidOperationException("not reached"));
        File.Copy(SdParity.Case(SdParity.Sd1, "txt2img.json"), temp.File("txt2img.json"));

        Assert.False(kind.IsPresent(temp.Path));
        Assert.True(kind.IsPresent(SdParity.Cases(SdParity.Sd1)));
    }
}
