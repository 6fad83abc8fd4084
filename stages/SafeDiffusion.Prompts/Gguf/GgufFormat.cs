namespace SafeDiffusion.Prompts.Gguf;

/// <summary>Constants of the GGUF container (ggml/include/gguf.h).</summary>
public static class GgufFormat
{
    /// <summary>"GGUF" as the first four bytes of the file.</summary>
    public static ReadOnlySpan<byte> Magic => "GGUF"u8;

    /// <summary>The version this writer produces and the newest the bundled llama.cpp reads.</summary>
    public const uint CurrentVersion = 3;

    /// <summary>The oldest version llama.cpp still reads (v1 was dropped).</summary>
    public const uint OldestReadableVersion = 2;

    public const uint DefaultAlignment = 32;

    public const string AlignmentKey = "general.alignment";

    /// <summary>ggml's GGML_MAX_NAME: tensor names must be shorter than this many bytes.</summary>
    public const int MaxTensorNameBytes = 64;

    /// <summary>ggml's GGML_MAX_DIMS.</summary>
    public const int MaxDimensions = 4;

    public static long Pad(long offset, long alignment) => (offset + alignment - 1) / alignment * alignment;
}
