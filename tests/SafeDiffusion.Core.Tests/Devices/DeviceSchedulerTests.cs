using System.Threading.Tasks.Dataflow;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Stages;

namespace SafeDiffusion.Core.Tests.Devices;

public class DeviceSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static DeviceScheduler Gpus(params double[] gib) =>
        new(gib.Select((g, i) => new DeviceSpec($"cuda:{i}", ByteSize.FromGiB(g))));

    [Fact]
    public async Task Concurrent_gpu_stages_never_exceed_the_device_budget()
    {
        var scheduler = Gpus(10);
        long inUse = 0, maxInUse = 0;
        async Task Stage(int id)
        {
            for (int i = 0; i < 5; i++)
            {
                await using var lease = await scheduler.AcquireAsync(new LeaseRequest($"stage{id}", ByteSize.FromGiB(4)));
                var now = Interlocked.Add(ref inUse, 4);
                InterlockedMax(ref maxInUse, now);
                await Task.Delay(2);
                Interlocked.Add(ref inUse, -4);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 6).Select(Stage)).WaitAsync(Patience);

        Assert.True(maxInUse <= 10, $"{maxInUse} GiB leased at once on a 10 GiB device");
        Assert.Equal(8, maxInUse); // two 4 GiB leases fit, a third never does
        Assert.True(scheduler.PeakUsed("cuda:0").GiB <= 10);
        Assert.Equal(0, scheduler.Used("cuda:0").Bytes);
    }

    [Fact]
    public async Task A_request_larger_than_any_budget_fails_at_once_with_the_fix()
    {
        var scheduler = Gpus(8);
        var e = await Assert.ThrowsAsync<UsageException>(() =>
            scheduler.AcquireAsync(new LeaseRequest("images", ByteSize.FromGiB(12))));
        Assert.Contains("images needs 12GiB", e.Message);
        Assert.Contains("memory", e.Message);
    }

    [Fact]
    public async Task A_holder_that_faults_releases_its_lease()
    {
        var scheduler = Gpus(6);
        async Task Faulty()
        {
            await using var lease = await scheduler.AcquireAsync(new LeaseRequest("faulty", ByteSize.FromGiB(5)));
            throw new InvalidOperationException("boom");
        }
        await Assert.ThrowsAsync<InvalidOperationException>(Faulty);

        var next = await scheduler.AcquireAsync(new LeaseRequest("next", ByteSize.FromGiB(5))).WaitAsync(Patience);
        Assert.Equal("cuda:0", next.Device.Id);
    }

    [Fact]
    public async Task A_waiting_request_can_be_cancelled_and_leaves_no_trace()
    {
        var scheduler = Gpus(4);
        var held = await scheduler.AcquireAsync(new LeaseRequest("holder", ByteSize.FromGiB(3)));
        using var cts = new CancellationTokenSource();
        var waiting = scheduler.AcquireAsync(new LeaseRequest("waiter", ByteSize.FromGiB(3)), cts.Token);
        Assert.False(waiting.IsCompleted);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();
        Assert.Equal(0, scheduler.Used("cuda:0").Bytes);
        Assert.Empty(scheduler.Holders()["cuda:0"]);
    }

    [Fact]
    public async Task With_one_gpu_the_llm_and_image_stages_take_turns_batch_by_batch()
    {
        var scheduler = Gpus(24);
        int active = 0, maxActive = 0;
        var order = new List<string>();
        async Task Stage(string name, int batches)
        {
            await using var lease = await scheduler.AcquireAsync(new LeaseRequest(name, ByteSize.FromGiB(8)));
            for (int i = 0; i < batches; i++)
            {
                using (await lease.AcquireComputeAsync())
                {
                    InterlockedMax(ref maxActive, Interlocked.Increment(ref active));
                    lock (order) order.Add(name);
                    await Task.Delay(3);
                    Interlocked.Decrement(ref active);
                }
                await Task.Yield();
            }
        }
        await Task.WhenAll(Stage("harmful-prompts", 6), Stage("images", 6)).WaitAsync(Patience);

        Assert.Equal(1, maxActive);
        Assert.Equal(12, order.Count);
        // Both made progress before either finished: they alternated rather than running back to back.
        var firstImages = order.IndexOf("images");
        var lastPrompts = order.LastIndexOf("harmful-prompts");
        Assert.True(firstImages < lastPrompts, string.Join(",", order));
    }

    [Fact]
    public async Task With_two_gpus_the_llm_and_image_stages_overlap()
    {
        var scheduler = Gpus(24, 24);
        using var bothInside = new Barrier(2);
        var devices = new string[2];
        async Task Stage(int index, string name)
        {
            await using var lease = await scheduler.AcquireAsync(new LeaseRequest(name, ByteSize.FromGiB(8)));
            devices[index] = lease.Device.Id;
            using (await lease.AcquireComputeAsync())
            {
                // Only passes if the other stage is inside its own batch at the same moment.
                await Task.Run(() => Assert.True(bothInside.SignalAndWait(Patience), "the stages did not run at the same time"));
            }
        }
        await Task.WhenAll(Stage(0, "harmful-prompts"), Stage(1, "images")).WaitAsync(Patience);
        Assert.NotEqual(devices[0], devices[1]);
    }

    [Fact]
    public async Task When_both_models_do_not_fit_the_second_stage_waits_for_the_first_to_release()
    {
        var scheduler = Gpus(10);
        var llm = await scheduler.AcquireAsync(new LeaseRequest("harmful-prompts", ByteSize.FromGiB(6)));
        var images = scheduler.AcquireAsync(new LeaseRequest("images", ByteSize.FromGiB(6)));
        await Task.Delay(20);
        Assert.False(images.IsCompleted);
        llm.Dispose();
        var lease = await images.WaitAsync(Patience);
        Assert.Equal("images", lease.Request.Holder);
    }

    [Fact]
    public async Task Cpu_blocks_run_in_parallel_up_to_their_degree_and_no_further()
    {
        const int degree = 3;
        int active = 0, maxActive = 0;
        using var gate = new Barrier(degree);
        var block = new ActionBlock<int>(_ =>
        {
            InterlockedMax(ref maxActive, Interlocked.Increment(ref active));
            // Only returns true when `degree` items are inside at once.
            var together = gate.SignalAndWait(Patience);
            Interlocked.Decrement(ref active);
            Assert.True(together);
        }, BlockOptions.Cpu(CancellationToken.None, degree));
        for (int i = 0; i < degree * 4; i++) await block.SendAsync(i);
        block.Complete();
        await block.Completion.WaitAsync(Patience);
        Assert.Equal(degree, maxActive);
    }

    [Fact]
    public async Task Without_a_gpu_in_the_config_model_stages_get_the_cpu()
    {
        var scheduler = new DeviceScheduler([new DeviceSpec("cpu", ByteSize.FromGiB(16))]);
        await using var lease = await scheduler.AcquireAsync(new LeaseRequest("images", ByteSize.FromGiB(2)));
        Assert.Equal(DeviceKind.Cpu, lease.Device.Kind);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
