namespace SafeDiffusion.Diffusion.ModelFolder;

/// <summary>One <c>model_index.json</c> entry: component name -> [library, class]; both null when the pipeline has none.</summary>
public sealed record ModelComponentEntry(string Name, string? Library, string? ClassName)
{
    /// <summary>False for entries written as <c>[null, null]</c> (e.g. a pipeline saved without a safety checker).</summary>
    public bool IsDeclared => Library is not null && ClassName is not null;
}
