using SafeDiffusion.Testing;

namespace SafeDiffusion.Training.Tests.Support;

/// <summary>The random-weight reference models of ../shared/fixtures/sd-parity (SD 1.x layout, and SD 2.x with v-prediction).</summary>
internal static class TinySd
{
    public static string Sd1 => SharedFixtures.Path("sd-parity", "tiny-sd1", "model");
    public static string Sd2 => SharedFixtures.Path("sd-parity", "tiny-sd2", "model");
}
