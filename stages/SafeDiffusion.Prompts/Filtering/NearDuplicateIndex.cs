namespace SafeDiffusion.Prompts.Filtering;

/// <summary>
/// Finds near duplicates among prompts: word-shingle sets, MinHash signatures, and locality-sensitive hashing
/// over bands of the signature to find candidates, each confirmed by the exact Jaccard similarity of the shingle
/// sets. A prompt is a near duplicate when its similarity to a kept prompt reaches the threshold.
/// </summary>
/// <remarks>
/// The band width is chosen so that the LSH S-curve's midpoint <c>(1/b)^(1/r)</c> lies below the threshold,
/// which keeps missed pairs rare; candidates are then confirmed exactly, so false positives cost time only.
/// Not thread-safe.
/// </remarks>
public sealed class NearDuplicateIndex
{
    private readonly double _threshold;
    private readonly int _shingleSize;
    private readonly ulong[] _permutationSeeds;
    private readonly int _rows;
    private readonly int _bands;
    private readonly List<HashSet<ulong>> _shingleSets = [];
    private readonly Dictionary<(int Band, ulong Key), List<int>> _buckets = [];

    public NearDuplicateIndex(double threshold, int shingleSize = 2, int permutations = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(threshold, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shingleSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(permutations, 1);
        _threshold = threshold;
        _shingleSize = shingleSize;
        var seed = 0x5DEECE66DUL;
        _permutationSeeds = new ulong[permutations];
        for (int i = 0; i < permutations; i++) _permutationSeeds[i] = StableHash.Mix(seed += 0x9E3779B97F4A7C15UL);
        (_bands, _rows) = ChooseBands(permutations, threshold);
    }

    public int Count => _shingleSets.Count;

    /// <summary>Rows per band and bands, as chosen for the threshold.</summary>
    public (int Bands, int Rows) Banding => (_bands, _rows);

    /// <summary>
    /// Adds <paramref name="text"/> unless a kept text is at least as similar as the threshold; then returns
    /// false and the highest similarity found.
    /// </summary>
    public bool TryAdd(string text, out double similarity)
    {
        var shingles = Shingles(text, _shingleSize);
        var signature = Signature(shingles);
        similarity = 0;
        var checkedIds = new HashSet<int>();
        for (int b = 0; b < _bands; b++)
        {
            if (!_buckets.TryGetValue((b, BandKey(signature, b)), out var ids)) continue;
            foreach (var id in ids)
            {
                if (!checkedIds.Add(id)) continue;
                var s = Jaccard(shingles, _shingleSets[id]);
                if (s > similarity) similarity = s;
            }
        }
        if (similarity >= _threshold) return false;

        var newId = _shingleSets.Count;
        _shingleSets.Add(shingles);
        for (int b = 0; b < _bands; b++)
        {
            var key = (b, BandKey(signature, b));
            if (!_buckets.TryGetValue(key, out var ids)) _buckets[key] = ids = [];
            ids.Add(newId);
        }
        return true;
    }

    /// <summary>Hashed word shingles of the lower-cased, punctuation-free words; a shorter text is one shingle.</summary>
    public static HashSet<ulong> Shingles(string text, int size)
    {
        var words = PromptText.ComparisonWords(text);
        var set = new HashSet<ulong>();
        if (words.Count == 0) return set;
        var n = Math.Max(1, words.Count - size + 1);
        for (int i = 0; i < n; i++)
            set.Add(StableHash.Of(string.Join('\u001f', words.Skip(i).Take(size))));
        return set;
    }

    public static double Jaccard(HashSet<ulong> a, HashSet<ulong> b)
    {
        if (a.Count == 0 && b.Count == 0) return 1;
        int shared = a.Count <= b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        return (double)shared / (a.Count + b.Count - shared);
    }

    private ulong[] Signature(HashSet<ulong> shingles)
    {
        var signature = new ulong[_permutationSeeds.Length];
        Array.Fill(signature, ulong.MaxValue);
        foreach (var s in shingles)
        for (int i = 0; i < signature.Length; i++)
        {
            var h = StableHash.Mix(s ^ _permutationSeeds[i]);
            if (h < signature[i]) signature[i] = h;
        }
        return signature;
    }

    private ulong BandKey(ulong[] signature, int band)
    {
        ulong key = 0xCBF29CE484222325UL;
        for (int r = 0; r < _rows; r++) key = StableHash.Mix(key ^ signature[band * _rows + r]);
        return key;
    }

    private static (int Bands, int Rows) ChooseBands(int permutations, double threshold)
    {
        // Widest bands whose S-curve midpoint stays 0.1 below the threshold: fewer spurious candidates, few misses.
        var target = Math.Max(0.05, threshold - 0.1);
        var best = (Bands: permutations, Rows: 1);
        for (int rows = 1; rows <= permutations; rows++)
        {
            var bands = permutations / rows;
            if (bands < 1) break;
            if (Math.Pow(1.0 / bands, 1.0 / rows) <= target) best = (bands, rows);
        }
        return best;
    }
}
