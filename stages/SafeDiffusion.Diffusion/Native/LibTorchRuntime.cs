using System.Runtime.InteropServices;

namespace SafeDiffusion.Diffusion.Native;

/// <summary>
/// Makes TorchSharp's native glue loadable on systems whose libstdc++ predates GCC 13 (Debian 12 and friends).
/// </summary>
/// <remarks>
/// TorchSharp 0.107.0's <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c> for a single symbol,
/// <c>_ZSt21ios_base_library_initv</c>, a marker that asks libstdc++ to initialise iostreams; every older
/// libstdc++ does that unconditionally, so the requirement can be made weak. libtorch itself needs only 3.4.26.
/// The copy of the library next to the application (never the NuGet cache) is patched once, atomically, and only
/// when the system's libstdc++ lacks the version. Call <see cref="EnsureLoadable"/> before the first torch call.
/// </remarks>
public static class LibTorchRuntime
{
    public const string LibraryFileName = "libLibTorchSharp.so";
    public const string MissingVersion = "GLIBCXX_3.4.32";
    public static readonly IReadOnlyList<string> OptionalSymbols = ["_ZSt21ios_base_library_initv"];

    // The patch is a fact about this process's files; doing it once is enough, and Lazy makes it thread-safe.
    private static readonly Lazy<LibTorchLoadReport> Once = new(Prepare, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<bool> NnpackOff = new(SwitchOffNnpack, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Patches the application's copy of the TorchSharp glue library when needed, then switches off libtorch's NNPACK
    /// convolutions (<see cref="NnpackSwitchedOff"/>). Idempotent.
    /// </summary>
    public static LibTorchLoadReport EnsureLoadable()
    {
        var report = Once.Value;
        _ = NnpackOff.Value;
        return report;
    }

    /// <summary>
    /// Whether libtorch's NNPACK path is off in this process (PyTorch's <c>torch.backends.nnpack.set_flags(False)</c>).
    /// libtorch offers NNPACK inference convolutions of 16 images or more that oneDNN does not take; where NNPACK cannot
    /// start (the project's AMD EPYC VM: "Unsupported hardware") libtorch 2.10 prints a warning at every such
    /// convolution, thousands of lines a run, and falls back to its own kernels, which is what every convolution now
    /// does without asking. False only where the switch is not exported (not a Linux libtorch).
    /// </summary>
    public static bool NnpackSwitchedOff => NnpackOff.Value;

    private static bool SwitchOffNnpack()
    {
        nint context = LibTorchExports.Find("_ZN2at13globalContextEv");
        nint setEnabled = LibTorchExports.Find("_ZN2at7Context20setUserEnabledNNPACKEb");
        nint enabled = LibTorchExports.Find("_ZNK2at7Context17userEnabledNNPACKEv");
        if (context == 0 || setEnabled == 0 || enabled == 0) return false;
        unsafe
        {
            // at::globalContext() returns the process's Context&; its members take it as their first argument.
            nint global = ((delegate* unmanaged<nint>)context)();
            ((delegate* unmanaged<nint, byte, void>)setEnabled)(global, 0);
            return ((delegate* unmanaged<nint, byte>)enabled)(global) == 0;
        }
    }

    private static LibTorchLoadReport Prepare()
    {
        if (!OperatingSystem.IsLinux())
            return new LibTorchLoadReport(SystemHasVersion: true, []);
        if (SystemLibStdCxxHas(MissingVersion, OptionalSymbols[0]))
            return new LibTorchLoadReport(SystemHasVersion: true, []);

        var patched = new List<string>();
        foreach (var file in CandidateFiles())
        {
            var before = ElfVersionNeedPatcher.Inspect(file, MissingVersion, OptionalSymbols);
            if (!before.NeedsPatch) continue;
            PatchAtomically(file);
            var after = ElfVersionNeedPatcher.Inspect(file, MissingVersion, OptionalSymbols);
            if (after.NeedsPatch)
                throw new InvalidOperationException($"{file}: patching the {MissingVersion} requirement did not take effect.");
            patched.Add(file);
        }
        return new LibTorchLoadReport(SystemHasVersion: false, patched);
    }

    /// <summary>Every copy of the glue library the runtime could load for this application.</summary>
    internal static IEnumerable<string> CandidateFiles()
    {
        var dirs = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
            dirs.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        dirs.Add(AppContext.BaseDirectory);
        var torchDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchDir))
        {
            dirs.Add(torchDir);
            dirs.Add(Path.Combine(torchDir, "runtimes", "linux-x64", "native"));
        }
        return dirs
            .Select(d => Path.GetFullPath(Path.Combine(d, LibraryFileName)))
            .Distinct(StringComparer.Ordinal)
            .Where(File.Exists)
            .Where(f => !IsInNuGetCache(f));
    }

    private static bool IsInNuGetCache(string path)
    {
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return path.StartsWith(Path.GetFullPath(cache) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static void PatchAtomically(string file)
    {
        var bytes = File.ReadAllBytes(file);
        ElfVersionNeedPatcher.Patch(bytes, file, MissingVersion, OptionalSymbols);
        var dir = Path.GetDirectoryName(file)!;
        var temp = Path.Combine(dir, $".{LibraryFileName}.{Environment.ProcessId}.tmp");
        try
        {
            // The bin copy may be a hard link into the NuGet cache: writing a new file and renaming it over the
            // old name leaves the cache's inode untouched.
            using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, File.GetUnixFileMode(file));
            File.Move(temp, file, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            TryDelete(temp);
            throw new InvalidOperationException(
                $"{file} needs {MissingVersion}, which this system's libstdc++ lacks, and the file cannot be patched " +
                $"because its folder is not writable ({e.Message}). Install a libstdc++ from GCC 13 or later, or run " +
                "the application once from a writable copy.", e);
        }
        catch (IOException)
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Asks the dynamic loader itself whether the system libstdc++ defines the versioned symbol.</summary>
    private static bool SystemLibStdCxxHas(string version, string symbol)
    {
        if (!NativeLibrary.TryLoad("libstdc++.so.6", out var handle)) return false;
        return Dl.dlvsym(handle, symbol, version) != IntPtr.Zero;
    }

    private static partial class Dl
    {
        [DllImport("libc.so.6", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        internal static extern IntPtr dlvsym(IntPtr handle, string symbol, string version);
    }
}

/// <summary>Whether the system already had the needed libstdc++, and which files were patched.</summary>
public sealed record LibTorchLoadReport(bool SystemHasVersion, IReadOnlyList<string> PatchedFiles);
