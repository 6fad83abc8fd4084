using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>PyTorch's typed storage classes (<c>torch.FloatStorage</c>, ...) as element types.</summary>
internal static class TorchStorageTypes
{
    public static bool TryParse(PickleGlobal storage, out ScalarType dtype)
    {
        (bool ok, dtype) = storage.Module != "torch" ? (false, default) : storage.Name switch
        {
            "DoubleStorage" => (true, ScalarType.Float64),
            "FloatStorage" => (true, ScalarType.Float32),
            "HalfStorage" => (true, ScalarType.Float16),
            "BFloat16Storage" => (true, ScalarType.BFloat16),
            "LongStorage" => (true, ScalarType.Int64),
            "IntStorage" => (true, ScalarType.Int32),
            "ShortStorage" => (true, ScalarType.Int16),
            "CharStorage" => (true, ScalarType.Int8),
            "ByteStorage" => (true, ScalarType.Byte),
            "BoolStorage" => (true, ScalarType.Bool),
            _ => (false, default(ScalarType)),
        };
        return ok;
    }

    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };
}
