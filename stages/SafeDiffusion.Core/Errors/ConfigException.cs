namespace SafeDiffusion.Core.Errors;

/// <summary>A position in a configuration file, 1-based.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}

/// <summary>One thing wrong with a configuration: where, which key, what, and what is allowed.</summary>
public sealed record ConfigIssue(SourceLocation Location, string KeyPath, string Message)
{
    public override string ToString() => $"{Location}: {KeyPath}: {Message}";
}

/// <summary>
/// Every problem found in a configuration file, reported together so a user fixes them in one pass.
/// </summary>
public sealed class ConfigException(IReadOnlyList<ConfigIssue> issues)
    : UsageException(Format(issues))
{
    public IReadOnlyList<ConfigIssue> Issues { get; } = issues;

    public ConfigException(ConfigIssue issue) : this([issue]) { }

    private static string Format(IReadOnlyList<ConfigIssue> issues) => issues.Count == 1
        ? $"Configuration error: {issues[0]}"
        : $"Configuration has {issues.Count} errors:\n" + string.Join("\n", issues.Select(i => "  " + i));
}
