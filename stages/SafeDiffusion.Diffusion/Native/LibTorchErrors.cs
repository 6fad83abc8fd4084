namespace SafeDiffusion.Diffusion.Native;

/// <summary>
/// What a libtorch error's text says: whether it is the native-scalar lifetime race of TorchSharp 0.107
/// (docs/known-issues.md), and the message without libtorch's native backtrace.
/// </summary>
/// <remarks>
/// TorchSharp passes libtorch the bare handle of a temporary <c>Scalar</c> (the alpha of <c>a + b</c>, a literal
/// operand) and frees it in a finalizer, so a collection started by another thread can free it while libtorch still
/// reads it. libtorch then finds a scalar with a garbage tag and refuses it from <c>c10/core/Scalar.h</c>
/// (<c>Expected false to be true</c> from <c>toFloat</c>), or names an unknown scalar type. Nothing the user gave can
/// cause either; work that stopped on it can resume from what it saved.
/// </remarks>
public static class LibTorchErrors
{
    private const string BacktraceStart = "Exception raised from ";

    /// <summary>Whether <paramref name="error"/> or an exception inside it is libtorch refusing a freed scalar.</summary>
    public static bool IsScalarLifetimeRace(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsScalarLifetimeRace)) return true;
            var text = e.Message;
            if (text.Contains("Unknown scalar type", StringComparison.Ordinal)) return true;
            if (text.Contains("c10/core/Scalar.h", StringComparison.Ordinal) && text.Contains("Expected false to be true", StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    /// <summary>
    /// <paramref name="message"/> up to libtorch's native backtrace (<c>Exception raised from ... frame #0 ...</c>), which
    /// names addresses and is of no use to a user; the whole text when there is none.
    /// </summary>
    public static string WithoutBacktrace(string message)
    {
        int at = message.IndexOf(BacktraceStart, StringComparison.Ordinal);
        if (at < 0) return message;
        // Keep the line naming where libtorch raised it (file and function), drop the frames after it.
        int lineEnd = message.IndexOf('\n', at);
        var kept = lineEnd < 0 ? message : message[..lineEnd];
        return kept.TrimEnd();
    }
}
