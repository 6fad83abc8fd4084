using System.Text;
using SafeDiffusion.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace SafeDiffusion.Core.Configuration;

/// <summary>
/// Reads YAML into a tree only after checking it against <see cref="YamlLimits"/>: the size first, then one pass
/// over YamlDotNet's parser events (an iterative state machine, so a deep nest cannot overflow the stack there)
/// that counts the nesting depth and the alias-expanded node count and stops at the first event past a limit.
/// Only text within every limit reaches <see cref="YamlStream"/>, whose recursive tree building is then bounded.
/// </summary>
public static class BoundedYamlReader
{
    /// <summary>
    /// Reads at most <see cref="YamlLimits.MaxBytes"/> + 1 bytes of <paramref name="path"/>, so an endless or huge
    /// file (/dev/zero, a log passed by mistake) costs no more than a config at the limit.
    /// </summary>
    /// <exception cref="ConfigException">The file is larger than the limit (names the line where it is crossed).</exception>
    public static string ReadText(string path, YamlLimits limits)
    {
        var buffer = new byte[limits.MaxBytes + 1];
        int filled = 0;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            int n;
            while (filled < buffer.Length && (n = stream.Read(buffer, filled, buffer.Length - filled)) > 0) filled += n;
        }
        if (filled > limits.MaxBytes)
            throw TooLarge(path, 1 + buffer.AsSpan(0, limits.MaxBytes).Count((byte)'\n'), limits, "the file");
        // Like File.ReadAllText: a UTF-8 byte-order mark is not part of the text.
        int skip = buffer.AsSpan(0, filled).StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        return new UTF8Encoding(false, false).GetString(buffer, skip, filled - skip);
    }

    /// <summary>Parses <paramref name="text"/> (named <paramref name="sourceName"/> in errors) within <paramref name="limits"/>.</summary>
    /// <exception cref="ConfigException">The text passes a limit; the message names the source, the line and the limit.</exception>
    /// <exception cref="YamlException">The text is not YAML (the caller locates it).</exception>
    public static YamlStream Load(string text, string sourceName, YamlLimits limits)
    {
        CheckSize(text, sourceName, limits);
        CheckShape(text, sourceName, limits);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream;
    }

    private static void CheckSize(string text, string sourceName, YamlLimits limits)
    {
        // Counting bytes stops at the first character past the limit, so a huge string costs no more than the limit.
        long bytes = 0;
        int line = 1;
        foreach (var rune in text.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > limits.MaxBytes) throw TooLarge(sourceName, line, limits, "the text");
            if (rune.Value == '\n') line++;
        }
    }

    private static ConfigException TooLarge(string sourceName, int line, YamlLimits limits, string what) =>
        new(new ConfigIssue(new SourceLocation(sourceName, line, 1), "(size)",
            $"{what} is larger than the limit of {limits.MaxBytes} bytes for a config (crossed on this line). A config this large is not one; check the path."));

    private static void CheckShape(string text, string sourceName, YamlLimits limits)
    {
        var parser = new Parser(new StringReader(text));
        // Per open collection: the running expanded-node count when it opened and its anchor, so that when it
        // closes the anchor's expanded size is known for every later alias to it.
        var open = new Stack<(long StartCount, AnchorName Anchor)>();
        var anchorSizes = new Dictionary<AnchorName, long>();
        long expanded = 0;
        while (parser.MoveNext())
        {
            var ev = parser.Current!;
            switch (ev)
            {
                case Scalar scalar:
                    expanded += 1;
                    if (!scalar.Anchor.IsEmpty) anchorSizes[scalar.Anchor] = 1;
                    break;
                case AnchorAlias alias:
                    // An alias to an anchor not (yet) defined is YamlDotNet's error to report, with its position.
                    expanded += anchorSizes.TryGetValue(alias.Value, out var size) ? size : 1;
                    break;
                case NodeEvent collection and (MappingStart or SequenceStart):
                    open.Push((expanded, collection.Anchor));
                    expanded += 1;
                    if (open.Count > limits.MaxDepth)
                        throw new ConfigException(new ConfigIssue(At(sourceName, ev), "(nesting)",
                            $"mappings and lists nest more than {limits.MaxDepth} levels deep here, the limit for a config. Flatten the structure."));
                    break;
                case MappingEnd or SequenceEnd:
                    var (start, anchor) = open.Pop();
                    if (!anchor.IsEmpty) anchorSizes[anchor] = expanded - start;
                    break;
            }
            if (expanded > limits.MaxExpandedNodes)
                throw new ConfigException(new ConfigIssue(At(sourceName, ev), "(aliases)",
                    $"with its aliases expanded the config passes {limits.MaxExpandedNodes} values here, the limit for a config. " +
                    "Aliases that repeat other aliases multiply; write the values out or use fewer levels of aliases."));
        }
    }

    private static SourceLocation At(string sourceName, ParsingEvent ev) => new(sourceName, (int)ev.Start.Line, (int)ev.Start.Column);
}
