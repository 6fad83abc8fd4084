using System.Buffers.Binary;
using System.Security.Cryptography;
using SafeDiffusion.Core.Contracts;

namespace SafeDiffusion.Datasets.Tests.Support;

/// <summary>Records with a different value in every field, so a column swapped or dropped shows up.</summary>
internal static class TestRows
{
    public static readonly DateTimeOffset Epoch = new(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);

    public static PromptRecord Prompt(int i) => new(
        PromptId: $"p-{i:D5}",
        Text: $"a photo number {i}, with \"quotes\", commas and ünïcödé",
        Label: i % 3 == 0 ? PromptLabel.Harmful : PromptLabel.Clean,
        Category: i % 3 == 0 ? "violence" : "laion",
        Source: i % 2 == 0 ? "llm" : "laion",
        Seed: 1_000_000_007L * i + 11,
        Generator: $"model-{i % 4}.gguf@abcd12",
        // Whole microseconds: the Parquet timestamp keeps microseconds, not .NET's 100 ns ticks.
        CreatedUtc: Epoch.AddTicks(i * 1_234_567L * 10),
        Guidance: i % 2 == 0 ? null : 7.5 + i);

    public static ImageRecord Image(int i, int payloadBytes = 512)
    {
        var png = FakePng(64 + i % 3, 48 + i % 5, payloadBytes, seed: i);
        return new ImageRecord(
            ImageId: $"img-{i:D5}",
            PromptId: $"p-{i / 2:D5}",
            Text: $"prompt text {i}",
            Label: i % 2 == 0 ? PromptLabel.Clean : PromptLabel.Harmful,
            Category: i % 2 == 0 ? "laion" : "hate",
            Png: png,
            Width: 64 + i % 3,
            Height: 48 + i % 5,
            Seed: 42L + i,
            Steps: 20 + i % 7,
            Guidance: 7.5 + i / 10.0,
            Scheduler: i % 2 == 0 ? "pndm" : "ddim",
            ModelId: "tiny-sd@0123abcd",
            Sha256: Convert.ToHexStringLower(SHA256.HashData(png)),
            Split: i % 5 == 0 ? DatasetSplit.Holdout : DatasetSplit.Train);
    }

    /// <summary>
    /// Bytes that start like a PNG of the given size (signature and IHDR chunk) followed by random bytes: enough for
    /// anything that reads the header, not decodable as an image.
    /// </summary>
    public static byte[] FakePng(int width, int height, int totalBytes, int seed)
    {
        var bytes = new byte[Math.Max(totalBytes, 33)];
        new Random(seed).NextBytes(bytes);
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        signature.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 13);
        "IHDR"u8.CopyTo(bytes.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        return bytes;
    }

    public static void AssertSame(ImageRecord expected, ImageRecord actual)
    {
        Assert.Equal(expected.Png, actual.Png);
        var none = Array.Empty<byte>();
        Assert.Equal(expected with { Png = none }, actual with { Png = none });
    }
}
