using System.Text.RegularExpressions;

namespace SafeDiffusion.Core.Configuration;

/// <summary>
/// Expands <c>${NAME}</c> and <c>${NAME:-default}</c> in config values, so one config serves laptops and clusters
/// (model roots, scratch folders). An unset variable without a default stays as written, which later fails
/// visibly at the path that uses it.
/// </summary>
public static partial class EnvironmentExpander
{
    public static string Expand(string text) => !text.Contains("${") ? text : Pattern().Replace(text, m =>
    {
        var value = Environment.GetEnvironmentVariable(m.Groups[1].Value);
        if (!string.IsNullOrEmpty(value)) return value;
        return m.Groups[2].Success ? m.Groups[2].Value : m.Value;
    });

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")]
    private static partial Regex Pattern();
}
