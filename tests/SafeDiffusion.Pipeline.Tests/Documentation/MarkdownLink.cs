namespace SafeDiffusion.Pipeline.Tests.Documentation;

/// <summary>A link written in a markdown file: the 1-based line it is on and its target as written.</summary>
internal sealed record MarkdownLink(int Line, string Target)
{
    /// <summary>Whether the target leaves the repository (a scheme such as <c>https:</c> or <c>mailto:</c>).</summary>
    public bool IsExternal => Target.Contains("://", StringComparison.Ordinal) || Target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The file part of the target (before any <c>#</c>); empty for a link to a heading of the same file.</summary>
    public string FilePart => Target.Split('#', 2)[0];

    /// <summary>The heading anchor after <c>#</c>, or null when the target has none.</summary>
    public string? Anchor => Target.Split('#', 2) is [_, var anchor] ? anchor : null;
}
