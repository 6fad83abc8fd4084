using System.Diagnostics;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Pipelines;
using SafeDiffusion.Diffusion.Schedulers;
using SafeDiffusion.Diffusion.Unet;
using SafeDiffusion.Diffusion.Vae;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Tests;

public class ScratchTiming(ITestOutputHelper output)
{
    void T(string name, Action a, int n = 10)
    {
        a();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++) { using var s = NewDisposeScope(); a(); }
        output.WriteLine($"{name}: {sw.Elapsed.TotalMilliseconds / n:F2} ms");
    }

    [Fact]
    public void Time()
    {
        LibTorchRuntime.EnsureLoadable();
        using var ng = no_grad();
        using var models = StableDiffusionModels.Load(SdParity.Model(SdParity.Sd1), ScalarType.Float32, CPU);
        var s2 = randn(2, 4, 16, 16); var c2 = randn(2, 77, 32);
        var s1 = randn(1, 4, 16, 16);
        T("unet b2 t=500", () => models.Unet.Forward(s2, 500.0, c2));
        T("unet b2 t=901", () => models.Unet.Forward(s2, 901.0, c2));
        T("unet b2 varying t", () => { for (int t = 1; t < 1000; t += 100) models.Unet.Forward(s2, t, c2); }, 2);
        T("vae decode", () => models.Vae.Decode(s1), 3);
        using var sch = SchedulerFactory.FromConfig(models.SchedulerConfig);
        sch.SetTimesteps(20);
        T("scheduler loop", () => { sch.SetTimesteps(20); var x = s1; foreach (var t in sch.Timesteps) x = sch.Step(sch.ScaleModelInput(x, t) * 0.1, t, x); }, 3);
        var sampler = models.CreateSampler();
        var o = new Txt2ImgOptions { Width = 64, Height = 64, Steps = 20 };
        T("sampler", () => sampler.Sample(c2[..1], c2[1..], [1], o).Dispose(), 2);
    }
}
