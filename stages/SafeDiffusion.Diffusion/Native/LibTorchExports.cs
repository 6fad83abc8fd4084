using System.Runtime.InteropServices;
using TorchSharp;

namespace SafeDiffusion.Diffusion.Native;

/// <summary>
/// Entry points of the <c>libtorch_cpu</c> TorchSharp loaded that TorchSharp itself does not wrap. The lookup goes
/// through that library's own handle, so it finds its copies (and those of the libraries it was linked with, such as
/// its bundled libgomp), not another copy elsewhere in the process.
/// </summary>
internal static class LibTorchExports
{
    // The handle is a fact about this process; Lazy resolves it once, thread-safely.
    private static readonly Lazy<nint> Library = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The address of <paramref name="symbol"/>, or 0 where this libtorch lacks it (or is not a Linux build).</summary>
    public static nint Find(string symbol) =>
        Library.Value != 0 && NativeLibrary.TryGetExport(Library.Value, symbol, out var address) ? address : 0;

    private static nint Load()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        // The first torch call loads libtorch, so the name below resolves to the copy already in the process.
        _ = torch.get_num_threads();
        return NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var library) ? library : 0;
    }
}
