using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Images.Generation;

namespace SafeDiffusion.Images.Tests.Generation;

public sealed class DefaultReplicasTests
{
    private static DeviceSpec Device(string id, int slots = 1) => new(id, ByteSize.FromGiB(8), slots);

    [Fact]
    public void A_generator_runs_one_replica_per_gpu_and_leaves_the_cpu_alone()
    {
        Assert.Equal(2, ImageGenerator.DefaultReplicas([Device("cpu", slots: 4), Device("cuda:0"), Device("cuda:1")]));
    }

    [Fact]
    public void Without_a_gpu_it_runs_one_replica_per_cpu_compute_slot()
    {
        Assert.Equal(2, ImageGenerator.DefaultReplicas([Device("cpu", slots: 2)]));
        Assert.Equal(1, ImageGenerator.DefaultReplicas([Device("cpu")]));
    }
}
