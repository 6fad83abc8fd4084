using System.Buffers.Binary;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>
/// Reads a state dict saved by <c>torch.save</c> in the pre-1.6 ("legacy") layout, which TorchSharp.PyBridge does not
/// read; pytorch-fid's <c>pt_inception-2015-12-05-6726825d.pth</c> is such a file. The layout, after
/// torch/serialization.py: pickles of the magic number, the protocol version (1001) and system info; the pickled
/// object whose tensors name their storage through persistent ids; a pickled list of storage keys; then for each
/// key in that order an int64 element count and the raw little-endian elements.
/// </summary>
internal static class LegacyPthReader
{
    public static readonly BigInteger MagicNumber = BigInteger.Parse("119547037146038801333356", System.Globalization.CultureInfo.InvariantCulture);
    public const long ProtocolVersion = 1001;

    public static Dictionary<string, Tensor> Read(Stream stream)
    {
        var magic = new PickleReader(stream, RefuseCalls).Load();
        if (magic is not BigInteger m || m != MagicNumber)
            throw new PickleFormatException("it does not start with torch.save's magic number.");
        var protocol = new PickleReader(stream, RefuseCalls).Load();
        if (protocol is not long p || p != ProtocolVersion)
            throw new PickleFormatException($"its serialization protocol is {protocol ?? "None"}, expected {ProtocolVersion}.");
        var sysInfo = new PickleReader(stream, RefuseCalls).Load() as PickleDict;
        if (sysInfo is not null && sysInfo.TryGetValue("little_endian", out var little) && little is false)
            throw new PickleFormatException("it was saved on a big-endian machine.");

        var storages = new Dictionary<string, StorageRef>(StringComparer.Ordinal);
        var root = new PickleReader(stream, Rebuild, pid => LoadStorage(pid, storages)).Load();
        var keys = new PickleReader(stream, RefuseCalls).Load() as List<object?>
            ?? throw new PickleFormatException("the storage key list after the state dict is missing.");

        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        Span<byte> countBytes = stackalloc byte[8];
        foreach (var keyObject in keys)
        {
            var key = keyObject as string ?? throw new PickleFormatException("a storage key is not a string.");
            if (!storages.TryGetValue(key, out var storage)) throw new PickleFormatException($"storage '{key}' is listed but no tensor uses it.");
            try { stream.ReadExactly(countBytes); }
            catch (EndOfStreamException) { throw new PickleFormatException($"the file is truncated before storage '{key}'."); }
            long count = BinaryPrimitives.ReadInt64LittleEndian(countBytes);
            long bytes = count * TorchStorageTypes.ElementSize(storage.DType);
            if (count < 0 || bytes > int.MaxValue) throw new PickleFormatException($"storage '{key}' declares {count} elements.");
            var buffer = new byte[bytes];
            try { stream.ReadExactly(buffer); }
            catch (EndOfStreamException) { throw new PickleFormatException($"the file is truncated inside storage '{key}'."); }
            data[key] = buffer;
        }

        var dict = StateDictOf(root);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (key, value) in dict.Items)
            {
                var name = key as string ?? throw new PickleFormatException($"state dict key {key} is not a string.");
                if (value is not TensorDescriptor tensor)
                    throw new PickleFormatException($"'{name}' holds {value?.GetType().Name ?? "None"}, not a tensor.");
                result[name] = tensor.Materialise(data);
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>The state dict itself, or the one a training checkpoint keeps under "state_dict".</summary>
    internal static PickleDict StateDictOf(object? root)
    {
        if (root is not PickleDict dict) throw new PickleFormatException($"it holds {root?.GetType().Name ?? "None"}, not a state dict.");
        if (dict.TryGetValue("state_dict", out var inner) && inner is PickleDict nested) return nested;
        return dict;
    }

    private static object? RefuseCalls(PickleGlobal callable, object?[] args) =>
        throw new PickleFormatException($"a header pickle calls {callable}.");

    private static object? Rebuild(PickleGlobal callable, object?[] args) => callable.FullName switch
    {
        "collections.OrderedDict" => new PickleDict(),
        "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_tensor" => TensorDescriptor.From(args),
        "torch._utils._rebuild_parameter" => args.Length > 0 && args[0] is TensorDescriptor d
            ? d
            : throw new PickleFormatException("_rebuild_parameter without a tensor."),
        _ => throw new PickleFormatException(
            $"it calls {callable}, which a state dict never needs; it may be a whole pickled model (save model.state_dict() instead)."),
    };

    private static StorageRef LoadStorage(object? pid, Dictionary<string, StorageRef> storages)
    {
        if (pid is not object?[] { Length: >= 5 } id || id[0] is not "storage")
            throw new PickleFormatException("a persistent id is not a storage reference.");
        if (id[1] is not PickleGlobal type || !TorchStorageTypes.TryParse(type, out var dtype))
            throw new PickleFormatException($"storage type {id[1]} is not supported.");
        var key = id[2] as string ?? throw new PickleFormatException("a storage key is not a string.");
        if (!storages.TryGetValue(key, out var root))
        {
            root = new StorageRef(key, dtype, 0);
            storages[key] = root;
        }
        // A view of a storage (pre-1.0 files) names (view_key, offset, size) in the last element.
        if (id.Length >= 6 && id[5] is object?[] { Length: 3 } view)
            return new StorageRef(key, dtype, Convert.ToInt64(view[1], System.Globalization.CultureInfo.InvariantCulture));
        return root;
    }

    private sealed record StorageRef(string Key, ScalarType DType, long ElementOffset);

    private sealed record TensorDescriptor(StorageRef Storage, long Offset, long[] Size, long[] Stride)
    {
        public static TensorDescriptor From(object?[] args)
        {
            if (args.Length < 4 || args[0] is not StorageRef storage)
                throw new PickleFormatException("a tensor is rebuilt without a storage.");
            return new TensorDescriptor(storage, Int(args[1]), Ints(args[2]), Ints(args[3]));
        }

        public Tensor Materialise(IReadOnlyDictionary<string, byte[]> data)
        {
            if (!data.TryGetValue(Storage.Key, out var bytes))
                throw new PickleFormatException($"storage '{Storage.Key}' has no data.");
            long elements = bytes.Length / TorchStorageTypes.ElementSize(Storage.DType);
            long start = Storage.ElementOffset + Offset;
            long last = start;
            for (int i = 0; i < Size.Length; i++)
            {
                if (Size[i] == 0) return torch.empty(Size, Storage.DType);
                last += (Size[i] - 1) * Stride[i];
            }
            if (start < 0 || last >= elements)
                throw new PickleFormatException($"a tensor of shape [{string.Join(", ", Size)}] reaches past storage '{Storage.Key}' ({elements} elements).");
            using var scope = torch.NewDisposeScope();
            var flat = torch.empty([elements], Storage.DType);
            bytes.AsSpan().CopyTo(flat.bytes);
            return flat.as_strided(Size, Stride, start).contiguous().clone().MoveToOuterDisposeScope();
        }

        private static long Int(object? value) => value is long l ? l : throw new PickleFormatException($"expected an integer, got {value ?? "None"}.");

        private static long[] Ints(object? value) => value is object?[] items
            ? items.Select(Int).ToArray()
            : throw new PickleFormatException("a tensor size or stride is not a tuple.");
    }
}
