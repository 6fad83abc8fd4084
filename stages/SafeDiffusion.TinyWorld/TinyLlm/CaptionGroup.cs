namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// One instruction exactly as the prompt writer sends it (a category's filled-in instruction), and the
/// captions a good answer to it draws from.
/// </summary>
public sealed record CaptionGroup(string Instruction, IReadOnlyList<string> Captions);
