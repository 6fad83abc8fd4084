using System.Security.Cryptography;
using System.Text;
using SafeDiffusion.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SafeDiffusion.Core.Configuration;

/// <summary>
/// A configuration file as parsed YAML, with command-line overrides applied, ready to bind. Keeps the source name
/// so every error can point at a file and line.
/// </summary>
public sealed class ConfigDocument
{
    // The text this document was parsed from and the --set assignments applied since, when it is that; null for a
    // document rebuilt from its own serialisation. Copies are parsed from the text, so the file's nodes keep the lines
    // and columns they have in the file (a serialisation drops comments and shifts every line after one).
    private readonly string? _text;
    private readonly IReadOnlyList<string> _assignments;

    private ConfigDocument(string sourceName, YamlMappingNode root, string? text = null, IReadOnlyList<string>? assignments = null)
    {
        SourceName = sourceName;
        Root = root;
        _text = text;
        _assignments = assignments ?? [];
    }

    public string SourceName { get; }
    public YamlMappingNode Root { get; }

    public static ConfigDocument Load(string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"Config file '{path}' does not exist. Pass --config with a YAML file, for example configs/tiny.yaml.");
        return Parse(File.ReadAllText(path), path);
    }

    public static ConfigDocument Parse(string text, string sourceName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
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
            return new ConfigDocument(sourceName, new YamlMappingNode(), text);
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException(new ConfigIssue(new SourceLocation(sourceName, 1, 1), "(root)", "a config file must be a mapping of keys to values."));
        return new ConfigDocument(sourceName, root, text);
    }

    /// <summary>Applies <c>key.path=value</c> assignments (the <c>--set</c> option); values are YAML scalars or flow collections.</summary>
    public ConfigDocument WithOverrides(IEnumerable<string> assignments)
    {
        var added = assignments.ToList();
        if (added.Count == 0) return this;
        if (_text is null) return Parse(ToYaml(), SourceName).WithOverrides(added);
        var all = _assignments.Concat(added).ToList();
        var copy = new ConfigDocument(SourceName, Parse(_text, SourceName).Root, _text, all);
        foreach (var assignment in all) copy.Apply(assignment);
        return copy;
    }

    private void Apply(string assignment)
    {
        int eq = assignment.IndexOf('=');
        if (eq <= 0)
            throw new UsageException($"--set '{assignment}': expected key.path=value, for example --set stages.images.batchSize=2.");
        var keys = assignment[..eq].Trim().Split('.');
        var valueText = assignment[(eq + 1)..];
        YamlNode value;
        try
        {
            var s = new YamlStream();
            s.Load(new StringReader("v: " + valueText));
            value = ((YamlMappingNode)s.Documents[0].RootNode).Children[new YamlScalarNode("v")];
        }
        catch (YamlException)
        {
            value = new YamlScalarNode(valueText);
        }
        var node = Root;
        for (int i = 0; i < keys.Length - 1; i++)
        {
            var existing = node.Children.FirstOrDefault(kv => Same(kv.Key, keys[i])).Value;
            if (existing is YamlMappingNode child) { node = child; continue; }
            var created = new YamlMappingNode();
            if (existing is not null) node.Children.Remove(node.Children.First(kv => Same(kv.Key, keys[i])).Key);
            node.Children.Add(new YamlScalarNode(keys[i]), created);
            node = created;
        }
        var last = node.Children.FirstOrDefault(kv => Same(kv.Key, keys[^1])).Key;
        if (last is not null) node.Children.Remove(last);
        node.Children.Add(new YamlScalarNode(keys[^1]), value);
    }

    /// <summary>
    /// A copy of the document where the mapping at <paramref name="toPath"/> is a copy of the one at
    /// <paramref name="fromPath"/> (empty if absent) with <paramref name="overrides"/> (key=value, relative) applied.
    /// `pipeline run compare` derives each variant's stage sections this way.
    /// </summary>
    public ConfigDocument WithCopiedSection(string fromPath, string toPath, IEnumerable<string> overrides)
    {
        var copy = Parse(ToYaml(), SourceName);
        var parentPath = toPath.Contains('.') ? toPath[..toPath.LastIndexOf('.')] : "";
        var key = toPath[(toPath.LastIndexOf('.') + 1)..];
        var source = copy.Find(fromPath);
        var clone = source is YamlMappingNode mapping ? Parse(new ConfigDocument(SourceName, mapping).ToYaml(), SourceName).Root : new YamlMappingNode();
        if (copy.Find(parentPath) is not YamlMappingNode parent)
        {
            copy = copy.WithOverrides([$"{parentPath}.{key}={{}}"]);
            parent = (YamlMappingNode)copy.Find(parentPath)!;
        }
        var existing = parent.Children.Keys.FirstOrDefault(k => Same(k, key));
        if (existing is not null) parent.Children.Remove(existing);
        parent.Children.Add(new YamlScalarNode(key), clone);
        // Edited in place, so no longer what its text says: further overrides start from its serialisation.
        return new ConfigDocument(SourceName, copy.Root).WithOverrides(overrides.Select(o => $"{toPath}.{o}"));
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
