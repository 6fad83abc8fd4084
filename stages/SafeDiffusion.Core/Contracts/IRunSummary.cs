namespace SafeDiffusion.Core.Contracts;

/// <summary>A final record a graph produces that the command line prints when the run ends (e.g. the 2x2 table).</summary>
public interface IRunSummary
{
    string Describe();
}
