namespace SafeDiffusion.Prompts.Filtering;

/// <summary>The outcome for one prompt: its normalised text when kept, or why it was dropped.</summary>
public sealed record PromptVerdict(string Text, PromptDropReason? DropReason)
{
    public bool Kept => DropReason is null;
}
