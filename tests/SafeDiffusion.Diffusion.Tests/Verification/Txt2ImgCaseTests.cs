using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Verification;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Diffusion.Tests.Verification;

public class Txt2ImgCaseTests
{
    public Txt2ImgCaseTests() => LibTorchRuntime.EnsureLoadable();

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
