namespace SafeDiffusion.Prompts.Sets;

/// <summary>A loaded evaluation set: its sample, how many rows were read, and how many repeated texts were dropped.</summary>
public sealed record EvaluationPromptSet(string Name, IReadOnlyList<EvaluationPrompt> Prompts, int RowsRead, int DuplicatesDropped);
