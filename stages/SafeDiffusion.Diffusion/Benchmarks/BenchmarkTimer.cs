using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Benchmarks;

/// <summary>
/// Runs an action for warm-up and then timed iterations. On CUDA the device is synchronised before each clock
/// reading, since kernels run asynchronously. Each iteration runs in its own dispose scope.
/// </summary>
public static class BenchmarkTimer
{
    public static TimingStatistics Measure(Action iteration, int warmup, int iterations, Device device, CancellationToken cancellationToken = default)
    {
        for (int i = 0; i < warmup; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunOnce(iteration, device);
        }
        var times = new List<double>(iterations);
        for (int i = 0; i < iterations; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            RunOnce(iteration, device);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return new TimingStatistics(times);
    }

    private static void RunOnce(Action iteration, Device device)
    {
        using (var scope = NewDisposeScope()) iteration();
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }
}
