using SafeDiffusion.Diffusion.Native;
using TorchSharp;

namespace SafeDiffusion.Diffusion.Tests.Native;

public class TorchWorkerThreadsTests
{
    public TorchWorkerThreadsTests() => LibTorchRuntime.EnsureLoadable();

    [Fact]
    public void On_linux_each_worker_runs_torch_on_its_own_thread_count_and_the_caller_keeps_its_count()
    {
        Assert.True(TorchThreadLimit.IsAvailable || !OperatingSystem.IsLinux(),
            "the bundled libtorch's libgomp (omp_set_num_threads) was not found: CPU sampling would stay on one thread");
        if (!TorchThreadLimit.IsAvailable) return;
        int callerBefore = torch.get_num_threads();

        var ones = TorchWorkerThreads.Run(2, 1, _ =>
        {
            using var product = torch.randn(64, 64).matmul(torch.randn(64, 64));
            return torch.get_num_threads();
        });
        var threes = TorchWorkerThreads.Run(2, 3, _ => torch.get_num_threads());

        Assert.Equal([1, 1], ones);
        Assert.Equal([3, 3], threes);
        Assert.Equal(callerBefore, torch.get_num_threads());
    }

    [Fact]
    public void A_failing_piece_hands_back_the_others_results_and_rethrows_its_exception()
    {
        if (!TorchThreadLimit.IsAvailable) return;
        var discarded = new System.Collections.Concurrent.ConcurrentBag<int>();

        var error = Assert.Throws<InvalidOperationException>(() => TorchWorkerThreads.Run(3, 1,
            i => i == 1 ? throw new InvalidOperationException("share 1 failed") : i, discarded.Add));

        Assert.Equal("share 1 failed", error.Message);
        Assert.Equal([0, 2], discarded.Order());
    }

    [Theory]
    [InlineData(5, 2, new[] { 0, 3, 3, 2 })]
    [InlineData(3, 3, new[] { 0, 1, 1, 1, 2, 1 })]
    [InlineData(64, 2, new[] { 0, 32, 32, 32 })]
    public void Shares_are_contiguous_near_equal_slices_larger_first(int rows, int shares, int[] startsAndLengths)
    {
        var slices = Enumerable.Range(0, shares).SelectMany(s =>
        {
            var (start, length) = TorchWorkerThreads.Share(s, shares, rows);
            return new[] { start, length };
        });

        Assert.Equal(startsAndLengths, slices);
    }
}
