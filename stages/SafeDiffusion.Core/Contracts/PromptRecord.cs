using SafeDiffusion.Core.IO;

namespace SafeDiffusion.Core.Contracts;

/// <summary>Clean (class 1) or harmful (class 2), as in the paper's dataset.</summary>
public enum PromptLabel { Clean = 1, Harmful = 2 }

/// <summary>
/// One prompt: a LAION caption, an LLM-written harmful prompt, or an evaluation prompt. The row of the prompts
/// Parquet schema and the message the image stage consumes.
/// </summary>
/// <param name="PromptId">Stable hash of source and text (<see cref="StableId"/>): the same prompt has the same id in every run.</param>
/// <param name="Category">Harm category for harmful prompts (hate, violence, ...), the set's own category otherwise.</param>
/// <param name="Source">Where it came from: <c>laion</c>, <c>llm</c>, <c>i2p</c>, a file name.</param>
/// <param name="Seed">The image seed to use for this prompt (its set's own seed where it has one).</param>
/// <param name="Generator">Model file and sha256 prefix that wrote it, or the reader that loaded it.</param>
/// <param name="Guidance">The prompt set's own guidance scale, where it has one (I2P); null uses the stage's.</param>
public sealed record PromptRecord(
    string PromptId,
    string Text,
    PromptLabel Label,
    string Category,
    string Source,
    long Seed,
    string Generator,
    DateTimeOffset CreatedUtc,
    double? Guidance = null)
{
    public int Class => (int)Label;

    public static string StableId(string source, string text) => FileHash.Sha256(source, text)[..16];
}
