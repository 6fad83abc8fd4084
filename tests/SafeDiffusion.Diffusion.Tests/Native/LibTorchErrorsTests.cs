using System.Runtime.InteropServices;
using SafeDiffusion.Diffusion.Native;

namespace SafeDiffusion.Diffusion.Tests.Native;

public sealed class LibTorchErrorsTests
{
    // The text libtorch 2.x gave when a TorchSharp Scalar was freed under an `add` (a safety-training run on this
    // project, frames shortened to three).
    private const string ScalarRace =
        "Expected false to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)\n" +
        "Exception raised from toFloat at /pytorch/c10/core/Scalar.h:140 (most recent call first):\n" +
        "frame #0: c10::Error::Error(c10::SourceLocation, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >) + 0xb0 (0x7fc9e0b881a0 in libc10.so)\n" +
        "frame #9: at::_ops::add_Tensor::call(at::Tensor const&, at::Tensor const&, c10::Scalar const&) + 0x1da (0x7fc9acd9a32a in libtorch_cpu.so)\n" +
        "frame #10: THSTensor_add + 0x62 (0x7fc9e0363202 in libLibTorchSharp.so)\n";

    // An ordinary libtorch refusal: the caller's shapes, not the race.
    private const string ShapeMismatch =
        "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1\n" +
        "Exception raised from infer_size_impl at /pytorch/aten/src/ATen/ExpandUtils.cpp:31 (most recent call first):\n" +
        "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x57 (0x7f in libc10.so)\n";

    [Fact]
    public void The_freed_scalar_refusal_is_the_race_however_deep_it_is_wrapped()
    {
        var native = new ExternalException(ScalarRace);
        Assert.True(LibTorchErrors.IsScalarLifetimeRace(native));
        Assert.True(LibTorchErrors.IsScalarLifetimeRace(new InvalidOperationException("Stage safety-train failed", native)));
        Assert.True(LibTorchErrors.IsScalarLifetimeRace(new AggregateException(new OperationCanceledException(), native)));
        Assert.True(LibTorchErrors.IsScalarLifetimeRace(new ExternalException("Unknown scalar type")));
    }

    [Fact]
    public void Other_libtorch_errors_and_other_failures_are_not_the_race()
    {
        Assert.False(LibTorchErrors.IsScalarLifetimeRace(new ExternalException(ShapeMismatch)));
        Assert.False(LibTorchErrors.IsScalarLifetimeRace(new InvalidOperationException("Expected false to be true in my own check")));
    }

    [Fact]
    public void The_message_keeps_what_libtorch_said_and_where_but_drops_the_frames()
    {
        Assert.Equal(
            "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1\n" +
            "Exception raised from infer_size_impl at /pytorch/aten/src/ATen/ExpandUtils.cpp:31 (most recent call first):",
            LibTorchErrors.WithoutBacktrace(ShapeMismatch));
        Assert.Equal("error: row 3 has no caption", LibTorchErrors.WithoutBacktrace("error: row 3 has no caption"));
    }
}
