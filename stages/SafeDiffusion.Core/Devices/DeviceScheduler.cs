using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Core.Devices;

/// <summary>
/// Hands out leases on devices within each device's memory budget. A request that does not fit waits (first come,
/// first served) until enough memory is released; a request larger than any device's whole budget fails at once,
/// because waiting could never satisfy it. Among devices that fit, the least busy wins, so with two GPUs two model
/// stages land on different GPUs and run at once, and with one they share it and take turns batch by batch.
/// </summary>
public sealed class DeviceScheduler
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DeviceState> _state;
    private readonly LinkedList<Waiter> _waiters = new();

    public DeviceScheduler(IEnumerable<DeviceSpec> devices)
    {
        Devices = devices.ToList();
        if (Devices.Count == 0) throw new UsageException("No devices configured: list at least `devices: [{id: cpu}]`.");
        _state = Devices.ToDictionary(d => d.Id, d => new DeviceState(d));
    }

    public static DeviceScheduler FromConfig(PipelineConfig config) => new(config.Devices.Select(DeviceSpec.From));

    public IReadOnlyList<DeviceSpec> Devices { get; }

    public bool HasGpu => Devices.Any(d => d.Kind == DeviceKind.Cuda);

    public async Task<DeviceLease> AcquireAsync(LeaseRequest request, CancellationToken ct = default)
    {
        Waiter waiter;
        lock (_gate)
        {
            var candidates = Candidates(request).ToList();
            if (candidates.Count == 0 || candidates.All(d => d.Memory.Bytes < request.Memory.Bytes))
            {
                var kinds = request.Kind?.ToString().ToLowerInvariant() ?? "any";
                var largest = candidates.Count == 0 ? "none" : candidates.Max(d => d.Memory).ToString();
                throw new UsageException(
                    $"{request.Holder} needs {request.Memory} on a {kinds} device, but the largest matching device budget is {largest}. " +
                    "Raise `memory` under `devices:` in the config, or lower the stage's batch size.");
            }
            if (_waiters.Count == 0 && TryGrant(request, out var lease)) return lease;
            waiter = new Waiter(request);
            waiter.Node = _waiters.AddLast(waiter);
        }
        await using var registration = ct.Register(() =>
        {
            lock (_gate)
            {
                if (waiter.Node?.List is not null) _waiters.Remove(waiter.Node);
            }
            waiter.Completion.TrySetCanceled(ct);
        });
        return await waiter.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>Memory currently leased on a device.</summary>
    public ByteSize Used(string deviceId)
    {
        lock (_gate) return new ByteSize(_state[deviceId].Used);
    }

    /// <summary>The most memory ever leased at once on a device: what tests and reports check against the budget.</summary>
    public ByteSize PeakUsed(string deviceId)
    {
        lock (_gate) return new ByteSize(_state[deviceId].Peak);
    }

    /// <summary>Who holds memory on each device right now.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Holders()
    {
        lock (_gate) return _state.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.Holders.ToList());
    }

    internal void Release(DeviceLease lease)
    {
        var granted = new List<(Waiter, DeviceLease)>();
        lock (_gate)
        {
            var s = _state[lease.Device.Id];
            s.Used -= lease.Request.Memory.Bytes;
            s.Holders.Remove(lease.Request.Holder);
            for (var node = _waiters.First; node is not null;)
            {
                var next = node.Next;
                if (TryGrant(node.Value.Request, out var l))
                {
                    _waiters.Remove(node);
                    granted.Add((node.Value, l));
                }
                node = next;
            }
        }
        // Completing outside the lock: continuations of the waiting stages must not run while it is held.
        foreach (var (w, l) in granted)
            if (!w.Completion.TrySetResult(l)) l.Dispose();
    }

    internal async Task<IDisposable> AcquireComputeAsync(DeviceSpec device, string holder, CancellationToken ct)
    {
        var slots = _state[device.Id].Compute;
        await slots.WaitAsync(ct).ConfigureAwait(false);
        return new ComputeSlot(slots);
    }

    private IEnumerable<DeviceSpec> Candidates(LeaseRequest request)
    {
        if (request.Kind is { } kind) return Devices.Where(d => d.Kind == kind);
        var gpus = Devices.Where(d => d.Kind == DeviceKind.Cuda).ToList();
        return gpus.Count > 0 ? gpus : Devices;
    }

    private bool TryGrant(LeaseRequest request, out DeviceLease lease)
    {
        var best = Candidates(request)
            .Select(d => _state[d.Id])
            .Where(s => s.Spec.Memory.Bytes - s.Used >= request.Memory.Bytes)
            .OrderBy(s => s.Holders.Count)
            .ThenByDescending(s => s.Spec.Memory.Bytes - s.Used)
            .FirstOrDefault();
        if (best is null)
        {
            lease = null!;
            return false;
        }
        best.Used += request.Memory.Bytes;
        best.Peak = Math.Max(best.Peak, best.Used);
        best.Holders.Add(request.Holder);
        lease = new DeviceLease(this, best.Spec, request);
        return true;
    }

    private sealed class DeviceState(DeviceSpec spec)
    {
        public DeviceSpec Spec { get; } = spec;
        public long Used { get; set; }
        public long Peak { get; set; }
        public List<string> Holders { get; } = [];
        public SemaphoreSlim Compute { get; } = new(spec.ComputeSlots, spec.ComputeSlots);
    }

    private sealed class Waiter(LeaseRequest request)
    {
        public LeaseRequest Request { get; } = request;
        public LinkedListNode<Waiter>? Node { get; set; }
        public TaskCompletionSource<DeviceLease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class ComputeSlot(SemaphoreSlim slots) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) slots.Release();
        }
    }
}
