using System.Runtime.CompilerServices;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>One prompt per line; blank lines and lines starting with <c>#</c> are skipped.</summary>
public static class PlainTextPromptReader
{
    public static async IAsyncEnumerable<PromptSetEntry> ReadAsync(string path, [EnumeratorCancellation] CancellationToken ct = default)
    {
        if (!File.Exists(path)) throw new InputDataException(path, "does not exist.", fix: "Check the path in the config.");
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#')) continue;
            yield return new PromptSetEntry(text);
        }
    }
}
