using System.Reflection;

namespace SafeDiffusion.Core.Runs;

public static class CodeVersion
{
    /// <summary>The informational version of the running program: semantic version plus the git commit it was built from.</summary>
    public static string Current { get; } =
        (Assembly.GetEntryAssembly() ?? typeof(CodeVersion).Assembly)
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
