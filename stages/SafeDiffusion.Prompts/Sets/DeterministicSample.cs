using SafeDiffusion.Prompts.Filtering;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>
/// Seeded sampling that depends on the items, not on their order: each item gets the hash of its key under the
/// seed, and the sample is the <c>k</c> items with the smallest hashes, in hash order ("bottom-k"). The same file
/// and seed give the same sample, and so does the same file shuffled; memory is O(k).
/// </summary>
public sealed class DeterministicSample<T>
{
    private readonly int _size;
    private readonly long _seed;
    // Max-heap on the hash (the comparer inverts it) so the largest of the k kept is the one to evict.
    private readonly PriorityQueue<(T Item, ulong Hash, string Key), (ulong Hash, string Key)> _heap = new(Comparer<(ulong Hash, string Key)>.Create(
        (a, b) => b.Hash != a.Hash ? b.Hash.CompareTo(a.Hash) : string.CompareOrdinal(b.Key, a.Key)));
    private readonly List<T> _all = [];

    /// <param name="size">Items to keep; 0 keeps every item, in the order offered.</param>
    public DeterministicSample(int size, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        _size = size;
        _seed = seed;
    }

    public int Offered { get; private set; }

    /// <param name="key">What identifies the item (its text, with an occurrence number for repeated texts).</param>
    public void Offer(T item, string key)
    {
        Offered++;
        if (_size == 0)
        {
            _all.Add(item);
            return;
        }
        var hash = StableHash.Of(key, _seed);
        if (_heap.Count < _size)
        {
            _heap.Enqueue((item, hash, key), (hash, key));
            return;
        }
        var top = _heap.Peek();
        if (hash < top.Hash || (hash == top.Hash && string.CompareOrdinal(key, top.Key) < 0))
            _heap.EnqueueDequeue((item, hash, key), (hash, key));
    }

    /// <summary>The kept items: smallest hash first, or every item in offer order when the size is 0.</summary>
    public IReadOnlyList<T> Result()
    {
        if (_size == 0) return _all.ToList();
        return _heap.UnorderedItems.Select(e => e.Element)
            .OrderBy(e => e.Hash).ThenBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => e.Item).ToList();
    }
}
