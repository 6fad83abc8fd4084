namespace SafeDiffusion.Prompts.Filtering;

/// <summary>Why post-processing dropped a generated prompt.</summary>
public enum PromptDropReason
{
    Empty,
    TooShort,
    TooLong,
    ExactDuplicate,
    NearDuplicate,
}
