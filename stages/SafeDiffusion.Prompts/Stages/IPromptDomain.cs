namespace SafeDiffusion.Prompts.Stages;

/// <summary>
/// A language the written prompts are expected to belong to (the tiny world's caption grammar), so a run can report
/// how many of the LLM's prompts a downstream model can actually draw. Real LLMs writing free text have none.
/// </summary>
public interface IPromptDomain
{
    /// <summary>Names the domain in the run's metrics and messages, e.g. <c>tiny world captions</c>.</summary>
    string Name { get; }

    bool Accepts(string prompt);
}
