using System.Collections.Concurrent;

namespace SafeDiffusion.Diffusion.Tokenization;

/// <summary>
/// A thread-safe memo with a size bound. When full it starts over rather than tracking recency: prompt streams
/// repeat a small working set of words, so a reset costs a few recomputations, while an LRU would cost a lock or
/// bookkeeping on every hit.
/// </summary>
public sealed class BoundedConcurrentCache<TKey, TValue>(int capacity) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _entries = new();
    // ConcurrentDictionary.Count takes every lock; an approximate counter is enough to enforce the bound.
    private int _approximateCount;

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public bool TryGetValue(TKey key, out TValue value) => _entries.TryGetValue(key, out value!);

    public void Add(TKey key, TValue value)
    {
        if (Interlocked.Increment(ref _approximateCount) > Capacity)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _approximateCount, 1);
        }
        _entries[key] = value;
    }
}
