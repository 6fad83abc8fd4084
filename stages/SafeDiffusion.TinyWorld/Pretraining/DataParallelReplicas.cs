using System.Runtime.ExceptionServices;
using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>
/// Data parallelism on the CPU: copies of the modules being trained, each running forward and backward on its share
/// of every batch on its own thread with one torch thread, their gradients averaged into the primary copy before the
/// optimiser steps it and the stepped weights copied back into the others. On the small tensors of tiny models
/// libtorch's intra-op threads scale poorly, while one-thread replicas on shares of the batch keep every core busy
/// (the timings are in docs/lab-notebook.md); with one replica this is a plain loop.
/// </summary>
/// <remarks>
/// Only parameters are copied between replicas (the project's modules hold no trained buffers). With two or more
/// replicas, from the first <see cref="Run{T}"/> until disposal the calling thread runs torch on one thread, and the
/// count it had comes back on disposal (one replica leaves the count alone). It is set once rather than around every
/// step because libtorch's set_num_threads empties the calling thread's cache of oneDNN convolution kernels, so
/// replica 0 would rebuild its kernels every step while the others waited. Only the replicas'
/// own threads are limited (<see cref="TorchThreadLimit"/>), not libtorch's process-wide count: libtorch gives a thread
/// the process-wide count of the moment it first computes, so with that count at one, any thread that started torch
/// work during the training would have kept one thread for good.
/// </remarks>
/// <typeparam name="TReplica">What one copy holds (e.g. a UNet and its text encoder).</typeparam>
public sealed class DataParallelReplicas<TReplica> : IDisposable
{
    private readonly TReplica[] _replicas;
    private readonly Parameter[][] _parameters;
    private readonly Action<TReplica>? _disposeCopy;
    private ReplicaWorker[]? _workers;
    private int? _callerThreads;
    private int _callerThreadId;
    private bool _disposed;

    /// <param name="primary">The copy the optimiser steps; not disposed here.</param>
    /// <param name="createCopy">A fresh copy of the same architecture (its weights are overwritten with the primary's).</param>
    /// <param name="parameters">The trained parameters of a copy, in the same order for every copy.</param>
    /// <param name="count">Replicas in all, the primary included; 1 runs everything on the calling thread.</param>
    /// <param name="disposeCopy">Frees a copy made by <paramref name="createCopy"/>.</param>
    public DataParallelReplicas(TReplica primary, Func<TReplica> createCopy, Func<TReplica, IEnumerable<Parameter>> parameters, int count,
        Action<TReplica>? disposeCopy = null)
    {
        ArgumentNullException.ThrowIfNull(createCopy);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _disposeCopy = disposeCopy;
        _replicas = new TReplica[count];
        _replicas[0] = primary;
        for (int i = 1; i < count; i++) _replicas[i] = createCopy();
        _parameters = _replicas.Select(r => parameters(r).ToArray()).ToArray();
        if (_parameters.Any(p => p.Length != _parameters[0].Length))
            throw new ArgumentException("every copy must list the same parameters.", nameof(parameters));
        CopyPrimaryWeights();
    }

    public int Count => _replicas.Length;

    public TReplica Primary => _replicas[0];

    /// <summary>
    /// The rows of a batch of <paramref name="batchSize"/> that replica <paramref name="replica"/> works on: near-equal
    /// contiguous slices, larger ones first.
    /// </summary>
    public (long Start, long Length) Share(int replica, long batchSize) =>
        TorchWorkerThreads.Share(replica, Count, checked((int)batchSize));

    /// <summary>
    /// Each replica's share of a batch of <paramref name="batchSize"/> as a fraction: the weights that turn the replicas'
    /// mean losses (and their gradients, see <see cref="ReduceGradients"/>) into the mean over the whole batch.
    /// </summary>
    public IReadOnlyList<double> ShareWeights(long batchSize) =>
        Enumerable.Range(0, Count).Select(r => (double)Share(r, batchSize).Length / batchSize).ToArray();

    /// <summary>
    /// Runs <paramref name="work"/> once per replica, replica 0 on the calling thread and each other on a worker thread
    /// of its own (started on the first call and kept until disposal), every one with a single torch thread; returns
    /// their results in replica order. The first exception any replica throws is rethrown after all have finished.
    /// Call it from one thread only (the one that first called it).
    /// </summary>
    public T[] Run<T>(Func<TReplica, int, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var results = new T[Count];
        if (Count == 1)
        {
            results[0] = work(_replicas[0], 0);
            return results;
        }
        ObjectDisposedException.ThrowIf(_disposed, this);
        var errors = new ExceptionDispatchInfo?[Count];
        void RunOne(int i)
        {
            try
            {
                results[i] = work(_replicas[i], i);
            }
            catch (Exception e)
            {
                errors[i] = ExceptionDispatchInfo.Capture(e);
            }
        }
        if (_workers is null)
        {
            // set_num_threads only ever runs while no replica computes: here, before any work is posted (each worker
            // sets its own count before it reports ready), and in Dispose, after the workers have stopped.
            _callerThreadId = Environment.CurrentManagedThreadId;
            _callerThreads = torch.get_num_threads();
            LimitCurrentThread(1);
            // Workers rather than a new thread per call: a thread's start and its torch set-up are a noticeable share of
            // a tiny model's step.
            _workers = Enumerable.Range(1, Count - 1).Select(i => new ReplicaWorker($"replica {i}")).ToArray();
        }
        else if (Environment.CurrentManagedThreadId != _callerThreadId)
        {
            throw new InvalidOperationException("Run is called from another thread than the first time; the replicas hold one torch thread on the thread that first ran them.");
        }
        for (int i = 1; i < Count; i++)
        {
            int replica = i;
            _workers[i - 1].Post(() => RunOne(replica));
        }
        try
        {
            RunOne(0);
        }
        finally
        {
            foreach (var worker in _workers) worker.WaitForWork();
        }
        foreach (var e in errors) e?.Throw();
        return results;
    }

    /// <summary>
    /// Sets each primary gradient to the weighted sum of the replicas' gradients. With each replica's loss a mean over
    /// its share, weights of share / batch give the gradient of the mean over the whole batch.
    /// </summary>
    public void ReduceGradients(IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != Count) throw new ArgumentException($"{weights.Count} weights for {Count} replicas.", nameof(weights));
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (int p = 0; p < _parameters[0].Length; p++)
        {
            var primary = _parameters[0][p].grad;
            if (primary is null) continue;
            primary.mul_(weights[0]);
            for (int r = 1; r < Count; r++)
            {
                if (_parameters[r][p].grad is { } other) primary.add_(other, alpha: weights[r]);
            }
        }
    }

    /// <summary>Copies the primary's weights into every other replica (after each optimiser step).</summary>
    public void CopyPrimaryWeights()
    {
        using var noGrad = torch.no_grad();
        for (int r = 1; r < Count; r++)
        {
            for (int p = 0; p < _parameters[0].Length; p++) _parameters[r][p].copy_(_parameters[0][p]);
        }
    }

    /// <summary>Clears every replica's gradients.</summary>
    public void ZeroGradients()
    {
        foreach (var parameters in _parameters)
        {
            foreach (var p in parameters)
            {
                if (p.grad is { } g) g.zero_();
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var worker in _workers ?? []) worker.Dispose();
        if (_callerThreads is int threads) LimitCurrentThread(threads);
        for (int i = 1; i < _replicas.Length; i++) _disposeCopy?.Invoke(_replicas[i]);
    }

    /// <summary>
    /// The calling thread's own torch count; where libtorch cannot set one thread's count alone (macOS, Windows), the
    /// process-wide one.
    /// </summary>
    private static void LimitCurrentThread(int threads)
    {
        if (TorchThreadLimit.IsAvailable) TorchThreadLimit.LimitCurrentThread(threads);
        else torch.set_num_threads(threads);
    }

    /// <summary>A thread that runs one replica's share of each <see cref="Run{T}"/>, one piece of work at a time.</summary>
    private sealed class ReplicaWorker : IDisposable
    {
        private readonly Thread _thread;
        private readonly SemaphoreSlim _posted = new(0);
        private readonly SemaphoreSlim _finished = new(0);
        private Action? _work;

        /// <summary>Starts the thread and returns once it has set its torch thread count, so that never overlaps work.</summary>
        public ReplicaWorker(string name)
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = name };
            _thread.Start();
            _finished.Wait();
        }

        /// <summary>Hands the worker its next piece of work, which must not throw (Run catches for it).</summary>
        public void Post(Action work)
        {
            _work = work;
            _posted.Release();
        }

        public void WaitForWork() => _finished.Wait();

        private void Loop()
        {
            // The intra-op thread count is per OS thread under OpenMP: a new thread would otherwise use every core.
            LimitCurrentThread(1);
            _finished.Release();
            while (true)
            {
                _posted.Wait();
                var work = _work;
                if (work is null) return;
                try
                {
                    work();
                }
                finally
                {
                    _finished.Release();
                }
            }
        }

        public void Dispose()
        {
            _work = null;
            _posted.Release();
            _thread.Join();
            _posted.Dispose();
            _finished.Dispose();
        }
    }
}
