using SafeDiffusion.Testing;

namespace SafeDiffusion.Diffusion.Tests;

/// <summary>Paths into the sd-parity reference sets (tiny-sd1 mimics SD 1.x, tiny-sd2 SD 2.x).</summary>
internal static class SdParity
{
    public const string Sd1 = "tiny-sd1";
    public const string Sd2 = "tiny-sd2";

    public static string Model(string set) => SharedFixtures.Path("sd-parity", set, "model");
    public static string Cases(string set) => SharedFixtures.Path("sd-parity", set, "cases");
    public static string Component(string set, string component) => SharedFixtures.Path("sd-parity", set, "model", component);
    public static string Case(string set, string file) => SharedFixtures.Path("sd-parity", set, "cases", file);
}
