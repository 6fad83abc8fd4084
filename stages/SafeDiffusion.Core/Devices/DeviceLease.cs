namespace SafeDiffusion.Core.Devices;

/// <summary>
/// Memory on one device, held for as long as a stage keeps its model there. Batches additionally take a compute
/// slot (<see cref="AcquireComputeAsync"/>), so two models sharing one GPU interleave batch by batch instead of
/// contending. Disposing returns the memory; it is safe to dispose twice.
/// </summary>
public sealed class DeviceLease : IAsyncDisposable, IDisposable
{
    private readonly DeviceScheduler _owner;
    private int _released;

    internal DeviceLease(DeviceScheduler owner, DeviceSpec device, LeaseRequest request)
    {
        _owner = owner;
        Device = device;
        Request = request;
    }

    public DeviceSpec Device { get; }
    public LeaseRequest Request { get; }
    public bool Released => Volatile.Read(ref _released) != 0;

    /// <summary>Waits for a compute slot on the leased device; dispose the result when the batch is done.</summary>
    public Task<IDisposable> AcquireComputeAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(Released, this);
        return _owner.AcquireComputeAsync(Device, Request.Holder, ct);
    }

    /// <summary>Runs one batch of work on the device under a compute slot.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken ct = default)
    {
        using var slot = await AcquireComputeAsync(ct).ConfigureAwait(false);
        return work();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _owner.Release(this);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
