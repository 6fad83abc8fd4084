namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>
/// A Python dict (or OrderedDict) read from a pickle, keys in insertion order. State set on it by BUILD (an
/// OrderedDict's <c>_metadata</c>) is kept aside in <see cref="State"/>.
/// </summary>
public sealed class PickleDict
{
    private readonly List<KeyValuePair<object, object?>> _items = [];
    private readonly Dictionary<object, int> _index = [];

    public IReadOnlyList<KeyValuePair<object, object?>> Items => _items;

    public object? State { get; set; }

    public int Count => _items.Count;

    public void Set(object key, object? value)
    {
        if (_index.TryGetValue(key, out var at)) _items[at] = new(key, value);
        else
        {
            _index[key] = _items.Count;
            _items.Add(new(key, value));
        }
    }

    public bool TryGetValue(object key, out object? value)
    {
        if (_index.TryGetValue(key, out var at))
        {
            value = _items[at].Value;
            return true;
        }
        value = null;
        return false;
    }
}
