using System.Diagnostics;
using SafeDiffusion.Core.Diagnostics;

namespace SafeDiffusion.Diffusion.Benchmarks;

/// <summary>
/// The process's peak resident memory, as .NET reports it (<see cref="Process.PeakWorkingSet64"/>) and as the Linux
/// kernel does (<c>VmHWM</c> in /proc/self/status; null elsewhere). Native (libtorch) allocations count in both.
/// </summary>
public sealed record PeakMemory(long PeakWorkingSetBytes, long? VmHwmBytes)
{
    public static PeakMemory Read()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new PeakMemory(process.PeakWorkingSet64, ProcessMemory.KernelPeakResidentBytes());
    }
}
