namespace SafeDiffusion.Prompts.Writer;

/// <summary>What the model returned for one request.</summary>
/// <param name="Parsed">False when the answer was not a complete JSON array (cut off at the token limit).</param>
public sealed record PromptAnswer(PromptRequest Request, IReadOnlyList<string> Prompts, bool Parsed, int PromptTokens, int GeneratedTokens, string Text);
