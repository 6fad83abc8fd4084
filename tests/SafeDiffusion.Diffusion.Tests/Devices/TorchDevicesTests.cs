using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Diffusion.Devices;
using SafeDiffusion.Diffusion.Native;

namespace SafeDiffusion.Diffusion.Tests.Devices;

public sealed class TorchDevicesTests
{
    private static DeviceSpec Cpu(int slots) => new("cpu", ByteSize.FromGiB(6), slots);

    [Fact]
    public void One_compute_slot_gives_a_batch_every_torch_thread()
    {
        Assert.Equal(TorchWorkerThreads.DefaultCount, TorchDevices.CpuThreadsPerCompute(Cpu(1)));
    }

    [Fact]
    public void Batches_running_in_every_slot_at_once_never_ask_for_more_threads_than_there_are()
    {
        int threads = TorchWorkerThreads.DefaultCount;
        foreach (int slots in new[] { 2, 3, 4, 8 })
        {
            int each = TorchDevices.CpuThreadsPerCompute(Cpu(slots));
            Assert.True(each >= 1);
            Assert.True(each * slots <= Math.Max(threads, slots), $"{slots} slots x {each} threads on {threads}");
        }
    }

    [Fact]
    public void More_slots_than_threads_still_leave_each_batch_one_thread()
    {
        Assert.Equal(1, TorchDevices.CpuThreadsPerCompute(Cpu(TorchWorkerThreads.DefaultCount + 5)));
    }
}
