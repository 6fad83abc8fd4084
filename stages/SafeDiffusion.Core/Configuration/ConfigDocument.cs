using System.Security.Cryptography;
using System.Text;
using SafeDiffusion.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SafeDiffusion.Core.Configuration;

/// <summary>
/// A configuration file as parsed YAML, with command-line overrides applied, ready to bind. Keeps the source name
/// and where every node came from, so every error can point at a file and line, or at the --set that gave a value.
/// </summary>
public sealed class ConfigDocument
{
    // Nodes that are not where their own position says, and where they came from: copies of the file's nodes (a node
    // made in code has no position) and values given by --set. A parsed file has none; nodes absent here are located
    // by their position in the file.
    private readonly Dictionary<YamlNode, SourceLocation> _origins;

    // Values a copied section took from the section it copies (WithCopiedSection), and the key path each was first
    // written at. A value set on the copy (an override, a --set) is a new node, so it is never here.
    private readonly Dictionary<YamlNode, string> _inheritedFrom;

    private ConfigDocument(string sourceName, YamlMappingNode root)
    {
        SourceName = sourceName;
        Root = root;
        _origins = new Dictionary<YamlNode, SourceLocation>(ReferenceEqualityComparer.Instance);
        _inheritedFrom = new Dictionary<YamlNode, string>(ReferenceEqualityComparer.Instance);
    }

    public string SourceName { get; }
    public YamlMappingNode Root { get; }

    /// <summary>Reads and parses a config file within <see cref="YamlLimits.Default"/>.</summary>
    /// <exception cref="UsageException">The file does not exist.</exception>
    /// <exception cref="ConfigException">The file is not YAML, not a mapping, or passes a limit (file, line and limit named).</exception>
    public static ConfigDocument Load(string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"Config file '{path}' does not exist. Pass --config with a YAML file, for example configs/tiny.yaml.");
        return Parse(BoundedYamlReader.ReadText(path, YamlLimits.Default), path);
    }

    /// <summary>Parses config text within <see cref="YamlLimits.Default"/>; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="ConfigException">The text is not YAML, not a mapping, or passes a limit (source, line and limit named).</exception>
    public static ConfigDocument Parse(string text, string sourceName) => Parse(text, sourceName, YamlLimits.Default);

    /// <summary>Parses config text within <paramref name="limits"/>.</summary>
    /// <exception cref="ConfigException">The text is not YAML, not a mapping, or passes a limit (source, line and limit named).</exception>
    public static ConfigDocument Parse(string text, string sourceName, YamlLimits limits)
    {
        YamlStream stream;
        try
        {
            stream = BoundedYamlReader.Load(text, sourceName, limits);
        }
        catch (YamlException e)
        {
            var at = new SourceLocation(sourceName, (int)e.Start.Line, (int)e.Start.Column);
            throw new ConfigException(new ConfigIssue(at, "(syntax)", FirstLine(e.Message)));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet reports some malformed input (an unclosed flow collection) without a position.
            throw new ConfigException(new ConfigIssue(LastGoodPosition(text, sourceName), "(syntax)",
                "malformed YAML after this point (an unclosed [ or {, or a stray character?)."));
        }
        if (stream.Documents.Count == 0)
            return new ConfigDocument(sourceName, new YamlMappingNode());
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException(new ConfigIssue(new SourceLocation(sourceName, 1, 1), "(root)", "a config file must be a mapping of keys to values."));
        return new ConfigDocument(sourceName, root);
    }

    /// <summary>
    /// Where <paramref name="node"/>, a node of this document, came from: its line in the file, or the --set
    /// assignment that gave it. A node without either (made in code) is located at the file.
    /// </summary>
    public SourceLocation Locate(YamlNode? node)
    {
        if (node is not null && _origins.TryGetValue(node, out var origin)) return origin;
        return PositionIn(SourceName, node);
    }

    /// <summary>A parsed node's own position in <paramref name="sourceName"/>; the file alone for a node without one.</summary>
    public static SourceLocation PositionIn(string sourceName, YamlNode? node) => node is null || node.Start.Line == 0
        ? new SourceLocation(sourceName, 0, 0)
        : new SourceLocation(sourceName, (int)node.Start.Line, (int)node.Start.Column);

    /// <summary>Applies <c>key.path=value</c> assignments (the <c>--set</c> option); values are YAML scalars or flow collections.</summary>
    public ConfigDocument WithOverrides(IEnumerable<string> assignments)
    {
        var added = assignments.ToList();
        if (added.Count == 0) return this;
        var copy = Copy();
        foreach (var assignment in added) copy.Assign(assignment, new SourceLocation($"--set {assignment}", 0, 0));
        return copy;
    }

    /// <summary>
    /// A copy of the document where the mapping at <paramref name="toPath"/> is a copy of the one at
    /// <paramref name="fromPath"/> (empty if absent) with <paramref name="overrides"/> (key=value, relative) applied.
    /// `pipeline run compare` derives each variant's stage sections this way. The copied nodes are located where
    /// the originals are; the overrides at <paramref name="overridesFrom"/>. Every value the copy keeps from
    /// <paramref name="fromPath"/> is recorded as inherited (<see cref="InheritedFrom"/>); the overrides are its own.
    /// </summary>
    public ConfigDocument WithCopiedSection(string fromPath, string toPath, IEnumerable<string> overrides, SourceLocation overridesFrom)
    {
        var copy = Copy();
        var keys = toPath.Split('.');
        CheckKeyDepth(keys.Length, overridesFrom);
        var parent = copy.MappingAt(keys[..^1], Locate(Find(fromPath)));
        YamlMappingNode clone;
        if (copy.Find(fromPath) is YamlMappingNode section)
        {
            clone = (YamlMappingNode)copy.CopyOf(section, copy, new Dictionary<YamlNode, YamlNode>(ReferenceEqualityComparer.Instance));
            foreach (var (relative, original, copied) in Values(section, clone, ""))
                copy._inheritedFrom[copied] = copy._inheritedFrom.GetValueOrDefault(original) ?? $"{fromPath}.{relative}";
        }
        else clone = copy.Made(new YamlMappingNode(), Locate(null));
        // The file's anchors name its own nodes; a second node under the same name would change what an alias means.
        foreach (var node in clone.AllNodes) node.Anchor = AnchorName.Empty;
        copy.Replace(parent, keys[^1], clone);
        foreach (var o in overrides) copy.Assign($"{toPath}.{o}", overridesFrom);
        return copy;
    }

    /// <summary>
    /// Where the value at the dotted key path <paramref name="path"/> was written, when it is one a copied section
    /// took unchanged from the section it copies (<see cref="WithCopiedSection"/>): that section's key path (through
    /// copies of copies, the first). Null where the value is this section's own (written in the file, given by
    /// --set, or an override of the copy) or there is no value.
    /// </summary>
    public string? InheritedFrom(string path) => Find(path) is { } node ? _inheritedFrom.GetValueOrDefault(node) : null;

    // Every value below two mappings of the same shape (an original and its copy), with its key path below them.
    private static IEnumerable<(string Path, YamlNode Original, YamlNode Copy)> Values(YamlMappingNode original, YamlMappingNode copy, string prefix)
    {
        foreach (var ((key, value), (_, copied)) in original.Children.Zip(copy.Children))
        {
            var path = prefix + (key is YamlScalarNode { Value: { } name } ? name : key.ToString());
            yield return (path, value, copied);
            if (value is YamlMappingNode inner && copied is YamlMappingNode innerCopy)
                foreach (var below in Values(inner, innerCopy, path + ".")) yield return below;
        }
    }

    private ConfigDocument Copy()
    {
        var copy = new ConfigDocument(SourceName, new YamlMappingNode());
        var copies = new Dictionary<YamlNode, YamlNode>(ReferenceEqualityComparer.Instance);
        foreach (var (key, value) in Root.Children) copy.Root.Children.Add(copy.CopyOf(key, this, copies), copy.CopyOf(value, this, copies));
        return copy;
    }

    // A deep copy of a node of `from`, each copied node located where its original is. A node met twice (an anchor
    // and its aliases) is copied once, so the copy keeps the file's anchors.
    private YamlNode CopyOf(YamlNode node, ConfigDocument from, Dictionary<YamlNode, YamlNode> copies)
    {
        if (copies.TryGetValue(node, out var done)) return done;
        YamlNode copy = node switch
        {
            YamlScalarNode scalar => new YamlScalarNode(scalar.Value) { Style = scalar.Style },
            YamlSequenceNode sequence => new YamlSequenceNode(sequence.Children.Select(c => CopyOf(c, from, copies))) { Style = sequence.Style },
            YamlMappingNode mapping => new YamlMappingNode(mapping.Children.Select(kv =>
                new KeyValuePair<YamlNode, YamlNode>(CopyOf(kv.Key, from, copies), CopyOf(kv.Value, from, copies)))) { Style = mapping.Style },
            _ => throw new InvalidOperationException($"a YAML node of kind {node.NodeType} cannot be copied."),
        };
        copy.Tag = node.Tag;
        copy.Anchor = node.Anchor;
        copies[node] = copy;
        if (from._inheritedFrom.TryGetValue(node, out var source)) _inheritedFrom[copy] = source;
        return Made(copy, from.Locate(node));
    }

    // Records where a node made in code came from.
    private T Made<T>(T node, SourceLocation origin) where T : YamlNode
    {
        _origins[node] = origin;
        return node;
    }

    // Sets key.path to the value, creating the mappings on the way; the nodes made are located at `origin`.
    private void Assign(string assignment, SourceLocation origin)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0)
            throw new UsageException($"--set '{assignment}': expected key.path=value, for example --set stages.images.batchSize=2.");
        var keys = assignment[..eq].Trim().Split('.');
        CheckKeyDepth(keys.Length, origin);
        var valueText = assignment[(eq + 1)..];
        YamlNode value;
        try
        {
            // The value sits one level below the root mapping here, and `keys` more below it in the document.
            var limits = YamlLimits.Default with { MaxDepth = Math.Max(1, YamlLimits.Default.MaxDepth - keys.Length + 1) };
            var s = BoundedYamlReader.Load("v: " + valueText, origin.File, limits);
            value = ((YamlMappingNode)s.Documents[0].RootNode).Children[new YamlScalarNode("v")];
        }
        catch (YamlException)
        {
            value = new YamlScalarNode(valueText);
        }
        catch (InvalidOperationException)
        {
            // Malformed flow text YamlDotNet reports without a position: taken as the plain text it is.
            value = new YamlScalarNode(valueText);
        }
        var parent = MappingAt(keys[..^1], origin);
        Replace(parent, keys[^1], Located(value, origin));
    }

    // A key path makes one mapping per key; past the depth limit every later walk of the tree could overflow the stack.
    private static void CheckKeyDepth(int keys, SourceLocation origin)
    {
        if (keys >= YamlLimits.Default.MaxDepth)
            throw new ConfigException(new ConfigIssue(origin, "(nesting)",
                $"a key path of {keys} keys nests deeper than {YamlLimits.Default.MaxDepth} levels, the limit for a config."));
    }

    private YamlNode Located(YamlNode node, SourceLocation origin)
    {
        foreach (var each in node.AllNodes) Made(each, origin);
        return node;
    }

    // The mapping at `keys` below the root, made (and located at `origin`) where missing or not a mapping. Something
    // is about to be set in it, so neither it nor a mapping on the way holds only what was inherited any more.
    private YamlMappingNode MappingAt(IEnumerable<string> keys, SourceLocation origin)
    {
        var node = Root;
        foreach (var key in keys)
        {
            if (node.Children.FirstOrDefault(kv => Same(kv.Key, key)).Value is YamlMappingNode child)
            {
                _inheritedFrom.Remove(child);
                node = child;
                continue;
            }
            node = Replace(node, key, Made(new YamlMappingNode(), origin));
        }
        return node;
    }

    // Sets parent[key] to the value; a key made here is located with its value.
    private T Replace<T>(YamlMappingNode parent, string key, T value) where T : YamlNode
    {
        var existing = parent.Children.Keys.FirstOrDefault(k => Same(k, key));
        var keyNode = existing is null ? Made(new YamlScalarNode(key), Locate(value)) : existing;
        if (existing is not null) parent.Children.Remove(existing);
        parent.Children.Add(keyNode, value);
        return value;
    }

    /// <summary>The node at a dotted key path, or null.</summary>
    public YamlNode? Find(string path)
    {
        YamlNode? node = Root;
        foreach (var key in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node is not YamlMappingNode map) return null;
            node = map.Children.FirstOrDefault(kv => Same(kv.Key, key)).Value;
        }
        return node;
    }

    /// <summary>The document as YAML text: the config snapshot stored in a run's manifest.</summary>
    public string ToYaml()
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(Root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends a saved stream with a document-end marker; a snapshot reads better without it.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    public string Sha256() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToYaml())));

    private static SourceLocation LastGoodPosition(string text, string sourceName)
    {
        var parser = new Parser(new StringReader(text));
        var last = new SourceLocation(sourceName, 1, 1);
        try
        {
            while (parser.MoveNext())
                if (parser.Current is { } ev) last = new SourceLocation(sourceName, (int)ev.End.Line, (int)ev.End.Column);
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException) { }
        return last;
    }

    private static bool Same(YamlNode key, string name) =>
        key is YamlScalarNode s && ConfigBinder.Normalize(s.Value ?? "") == ConfigBinder.Normalize(name);

    private static string FirstLine(string message)
    {
        // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the position is reported separately.
        int i = message.LastIndexOf("): ", StringComparison.Ordinal);
        return i >= 0 ? message[(i + 3)..] : message;
    }
}
