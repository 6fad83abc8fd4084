using SafeDiffusion.Diffusion.Native;
using TorchSharp;

namespace SafeDiffusion.Diffusion.Tests.Native;

public class LibTorchRuntimeTests
{
    [Fact]
    public void Loading_libtorch_switches_off_its_nnpack_convolutions_on_linux()
    {
        LibTorchRuntime.EnsureLoadable();

        // Read back from libtorch's own context (at::Context::userEnabledNNPACK), not from a flag of ours.
        Assert.Equal(OperatingSystem.IsLinux(), LibTorchRuntime.NnpackSwitchedOff);
    }

    [Fact]
    public void Torch_runs_a_matmul_after_the_loader_fix()
    {
        LibTorchRuntime.EnsureLoadable();

        using var scope = torch.NewDisposeScope();
        var a = torch.randn(3, 4);
        var b = torch.randn(4, 2);
        var c = a.matmul(b);

        Assert.Equal([3L, 2L], c.shape);
        var expected = a.to_type(torch.float64).matmul(b.to_type(torch.float64));
        Assert.True(torch.allclose(c.to_type(torch.float64), expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Every_loadable_copy_has_the_version_requirement_made_weak_when_the_system_lacks_it()
    {
        var report = LibTorchRuntime.EnsureLoadable();
        foreach (var file in LibTorchRuntime.CandidateFiles())
        {
            var state = ElfVersionNeedPatcher.Inspect(file, LibTorchRuntime.MissingVersion, LibTorchRuntime.OptionalSymbols);
            if (!report.SystemHasVersion)
                Assert.False(state.NeedsPatch, $"{file} still requires {LibTorchRuntime.MissingVersion}");
        }
    }

    [Fact]
    public void Patcher_flags_the_version_and_weakens_the_symbol_in_a_copy()
    {
        var original = LibTorchRuntime.CandidateFiles().First();
        // Start from an unpatched image: the NuGet package's copy is never modified, so read it from there.
        var nuget = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                                 ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
            "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", LibTorchRuntime.LibraryFileName);
        var source = File.Exists(nuget) ? nuget : original;
        var bytes = File.ReadAllBytes(source);

        var before = ElfVersionNeedPatcher.Patch(bytes, source, LibTorchRuntime.MissingVersion, LibTorchRuntime.OptionalSymbols);
        Assert.True(before.VersionFound);
        Assert.True(before.SymbolFound);

        var copy = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(copy, bytes);
            var after = ElfVersionNeedPatcher.Inspect(copy, LibTorchRuntime.MissingVersion, LibTorchRuntime.OptionalSymbols);
            Assert.True(after.VersionWasWeak);
            Assert.True(after.SymbolWasWeak);
            Assert.False(after.NeedsPatch);
            Assert.Equal(new FileInfo(source).Length, new FileInfo(copy).Length);
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void Patcher_rejects_a_file_that_is_not_elf()
    {
        var bytes = "not an elf file at all, padded to more than sixty-four bytes for the header check"u8.ToArray();
        var e = Assert.Throws<InvalidDataException>(() =>
            ElfVersionNeedPatcher.Patch(bytes, "fake.so", LibTorchRuntime.MissingVersion, LibTorchRuntime.OptionalSymbols));
        Assert.Contains("fake.so", e.Message);
    }
}
