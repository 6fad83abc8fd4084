using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.TinyWorld.Pretraining;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using SafeDiffusion.TinyWorld.Tests.Support;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

[Collection(GlobalTorchStateCollection.Name)]
public sealed class DataParallelReplicasTests
{
    public DataParallelReplicasTests() => LibTorchRuntime.EnsureLoadable();

    private static Sequential SmallNet(long seed)
    {
        torch.manual_seed(seed);
        return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 3));
    }

    private static float[] Gradients(Sequential net) => net.parameters().SelectMany(p => p.grad!.data<float>().ToArray()).ToArray();

    [Fact]
    public void Two_replicas_on_the_halves_of_a_batch_give_the_gradient_of_one_model_on_the_whole_batch()
    {
        using var generator = new Generator(3);
        using var inputs = torch.randn(10, 6, generator: generator);
        using var targets = torch.randn(10, 3, generator: generator);
        using var reference = SmallNet(1);
        nn.functional.mse_loss(reference.forward(inputs), targets).backward();
        var expected = Gradients(reference);

        using var primary = SmallNet(2);   // other weights: the replicas must take the primary's, not their own
        using (torch.no_grad())
        {
            foreach (var (p, r) in primary.parameters().Zip(reference.parameters())) p.copy_(r);
        }
        using var replicas = new DataParallelReplicas<Sequential>(primary, () => SmallNet(99), n => n.parameters(), 2, n => n.Dispose());
        const long batch = 10;
        var weights = replicas.ShareWeights(batch);
        var threadIds = replicas.Run((net, r) =>
        {
            var (start, length) = replicas.Share(r, batch);
            using var scope = torch.NewDisposeScope();
            nn.functional.mse_loss(net.forward(inputs.narrow(0, start, length)), targets.narrow(0, start, length)).backward();
            return Environment.CurrentManagedThreadId;
        });
        replicas.ReduceGradients(weights);

        Assert.NotEqual(threadIds[0], threadIds[1]);
        var actual = Gradients(primary);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }

    [Fact]
    public void After_a_step_the_other_replicas_hold_the_primarys_weights()
    {
        using var primary = SmallNet(1);
        Sequential? copy = null;
        using var replicas = new DataParallelReplicas<Sequential>(primary, () => copy = SmallNet(5), n => n.parameters(), 2, n => n.Dispose());
        using (torch.no_grad())
        {
            foreach (var p in primary.parameters()) p.add_(0.5);
        }

        replicas.CopyPrimaryWeights();

        foreach (var (p, c) in primary.parameters().Zip(copy!.parameters())) Assert.True(p.equal(c).all().item<bool>());
    }

    [Theory]
    [InlineData(10, 2, new long[] { 0, 5, 5, 5 })]
    [InlineData(5, 2, new long[] { 0, 3, 3, 2 })]
    [InlineData(7, 3, new long[] { 0, 3, 3, 2, 5, 2 })]
    public void A_batch_is_cut_into_near_equal_contiguous_shares(long batch, int count, long[] startsAndLengths)
    {
        using var primary = SmallNet(1);
        using var replicas = new DataParallelReplicas<Sequential>(primary, () => SmallNet(1), n => n.parameters(), count, n => n.Dispose());

        var shares = Enumerable.Range(0, count).SelectMany(r => { var (s, l) = replicas.Share(r, batch); return new[] { s, l }; }).ToArray();

        Assert.Equal(startsAndLengths, shares);
    }

    [Fact]
    public void An_error_in_a_replica_thread_reaches_the_caller_after_every_replica_finished()
    {
        using var primary = SmallNet(1);
        using var replicas = new DataParallelReplicas<Sequential>(primary, () => SmallNet(1), n => n.parameters(), 2, n => n.Dispose());
        int finished = 0;

        var error = Assert.Throws<InvalidOperationException>(() => replicas.Run<int>((_, r) =>
        {
            if (r == 1) throw new InvalidOperationException("replica 1 failed");
            Thread.Sleep(50);
            Interlocked.Increment(ref finished);
            return r;
        }));

        Assert.Equal("replica 1 failed", error.Message);
        Assert.Equal(1, finished);
    }

    [Fact]
    public void Each_replica_keeps_its_thread_from_run_to_run_even_after_an_error_and_disposal_ends_it()
    {
        using var primary = SmallNet(1);
        var replicas = new DataParallelReplicas<Sequential>(primary, () => SmallNet(1), n => n.parameters(), 2, n => n.Dispose());
        Thread? worker = null;

        var first = replicas.Run((_, r) =>
        {
            if (r == 1) worker = Thread.CurrentThread;
            return Environment.CurrentManagedThreadId;
        });
        Assert.Throws<InvalidOperationException>(() => replicas.Run<int>((_, r) => r == 1 ? throw new InvalidOperationException("replica 1 failed") : r));
        var third = replicas.Run((_, _) => Environment.CurrentManagedThreadId);

        Assert.Equal(Environment.CurrentManagedThreadId, first[0]);
        Assert.NotEqual(first[0], first[1]);
        Assert.Equal(first, third);
        replicas.Dispose();
        Assert.False(worker!.IsAlive);
        Assert.Throws<ObjectDisposedException>(() => replicas.Run((_, r) => r));
    }

    [Fact]
    public void The_calling_thread_trains_on_one_torch_thread_from_the_first_run_until_disposal_gives_its_count_back()
    {
        int before = torch.get_num_threads();
        torch.set_num_threads(2);
        try
        {
            using var primary = SmallNet(1);
            var replicas = new DataParallelReplicas<Sequential>(primary, () => SmallNet(1), n => n.parameters(), 2, n => n.Dispose());

            var inside = replicas.Run((_, _) => torch.get_num_threads());
            int between = torch.get_num_threads();
            replicas.Dispose();

            Assert.Equal([1, 1], inside);
            Assert.Equal(1, between);
            Assert.Equal(2, torch.get_num_threads());
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Fact]
    public void A_thread_that_first_computes_while_replicas_train_gets_the_process_count_not_one()
    {
        if (!TorchThreadLimit.IsAvailable) return;
        int before = torch.get_num_threads();
        torch.set_num_threads(2);
        try
        {
            using var primary = SmallNet(1);
            using var replicas = new DataParallelReplicas<Sequential>(primary, () => SmallNet(1), n => n.parameters(), 2, n => n.Dispose());
            replicas.Run((_, r) => r);

            // libtorch sets a new thread's count from the process-wide one on its first torch call, and keeps it.
            int newcomer = 0;
            var thread = new Thread(() => newcomer = torch.get_num_threads());
            thread.Start();
            thread.Join();

            Assert.Equal(1, torch.get_num_threads());
            Assert.Equal(2, newcomer);
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [Fact]
    public void Running_from_another_thread_than_the_first_run_is_refused()
    {
        using var primary = SmallNet(1);
        using var replicas = new DataParallelReplicas<Sequential>(primary, () => SmallNet(1), n => n.parameters(), 2, n => n.Dispose());
        replicas.Run((_, r) => r);

        Exception? error = null;
        var other = new Thread(() => error = Record.Exception(() => replicas.Run((_, r) => r)));
        other.Start();
        other.Join();

        Assert.IsType<InvalidOperationException>(error);
    }
}
