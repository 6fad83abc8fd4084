using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using SafeDiffusion.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SafeDiffusion.Core.Configuration;

/// <summary>
/// Binds YAML nodes onto config records, collecting every problem with its file, line and key path rather than
/// stopping at the first. Records declare their defaults with property initialisers; a key the YAML leaves out
/// keeps its default. Keys match property names case-insensitively, in camelCase, kebab-case or snake_case.
/// </summary>
public sealed class ConfigBinder
{
    private readonly List<ConfigIssue> _issues = [];
    private readonly ConfigDocument? _document;
    private readonly NullabilityInfoContext _nullability = new();

    /// <summary>Binds nodes of <paramref name="document"/>, locating problems as it does (a file line, or a --set).</summary>
    public ConfigBinder(ConfigDocument document)
    {
        _document = document;
        SourceName = document.SourceName;
    }

    /// <summary>Binds nodes parsed from <paramref name="sourceName"/>, locating problems by the nodes' positions.</summary>
    public ConfigBinder(string sourceName) => SourceName = sourceName;

    public string SourceName { get; }
    public IReadOnlyList<ConfigIssue> Issues => _issues;

    public void ThrowIfAny()
    {
        if (_issues.Count > 0) throw new ConfigException(_issues.ToList());
    }

    public void Report(YamlNode? node, string path, string message) =>
        _issues.Add(new ConfigIssue(Locate(node), path, message));

    public SourceLocation Locate(YamlNode? node) => _document?.Locate(node) ?? ConfigDocument.PositionIn(SourceName, node);

    /// <summary>Binds <paramref name="node"/> (null: all defaults) to a new <typeparamref name="T"/>.</summary>
    public T Bind<T>(YamlNode? node, string path) where T : class, new() => (T)Bind(typeof(T), node, path)!;

    public object? Bind(Type type, YamlNode? node, string path)
    {
        if (node is null) return IsComplex(type) ? Validate(Activator.CreateInstance(type)!, null, path, null) : null;
        return BindValue(type, node, path);
    }

    // A key left empty (`runs:`, `models: { base: }`, `- ` in a list) is YAML's null. Where the record declares the
    // value nullable it is null; otherwise a record is all defaults (then validated), a list or mapping is empty,
    // and text or a number is an error: a null where the code expects a value would surface later as a crash.
    private object? BindValue(Type type, YamlNode node, string path, bool nullable = false)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is YamlScalarNode { Style: ScalarStyle.Plain } nullScalar && nullScalar.Value is "~" or "null" or "")
        {
            if (underlying is not null || (nullable && !type.IsValueType)) return null;
            if (type.IsInstanceOfType(node)) return node;
            if (IsComplex(type)) return Validate(Activator.CreateInstance(type)!, null, path, null);
            if (TryElementType(type, out var itemType)) return BindSequence(type, itemType, new YamlSequenceNode(), path);
            if (TryDictionaryValueType(type, out var entryType)) return BindDictionary(type, entryType, new YamlMappingNode(), path);
            Report(node, path, $"needs a value ({Describe(type)}).");
            return type.IsValueType ? Activator.CreateInstance(type) : type == typeof(string) ? "" : null;
        }
        type = underlying ?? type;

        if (type == typeof(YamlNode) || type.IsAssignableTo(typeof(YamlNode)) && type.IsInstanceOfType(node)) return node;
        if (IsScalarType(type)) return BindScalar(type, node, path);
        if (TryElementType(type, out var element)) return BindSequence(type, element, node, path);
        if (TryDictionaryValueType(type, out var valueType)) return BindDictionary(type, valueType, node, path);
        if (IsComplex(type)) return BindObject(type, node, path);
        Report(node, path, $"type {type.Name} cannot be read from configuration.");
        return null;
    }

    private object? BindScalar(Type type, YamlNode node, string path)
    {
        if (node is not YamlScalarNode scalar)
        {
            Report(node, path, $"expected {Describe(type)}, found a {(node is YamlSequenceNode ? "list" : "mapping")}.");
            return type.IsValueType ? Activator.CreateInstance(type) : null;
        }
        var text = EnvironmentExpander.Expand(scalar.Value ?? "");
        var inv = CultureInfo.InvariantCulture;
        object? result = null;
        bool ok = true;
        if (type == typeof(string)) result = text;
        else if (type == typeof(bool))
        {
            ok = text.ToLowerInvariant() switch { "true" or "yes" or "on" => (result = true) is bool, "false" or "no" or "off" => (result = false) is bool, _ => false };
        }
        else if (type == typeof(int)) { ok = int.TryParse(text.Replace("_", ""), NumberStyles.Integer, inv, out var v); result = v; }
        else if (type == typeof(long)) { ok = long.TryParse(text.Replace("_", ""), NumberStyles.Integer, inv, out var v); result = v; }
        else if (type == typeof(ulong)) { ok = ulong.TryParse(text.Replace("_", ""), NumberStyles.Integer, inv, out var v); result = v; }
        else if (type == typeof(double)) { ok = double.TryParse(text, NumberStyles.Float, inv, out var v); result = v; }
        else if (type == typeof(float)) { ok = float.TryParse(text, NumberStyles.Float, inv, out var v); result = v; }
        else if (type == typeof(ByteSize)) { ok = ByteSize.TryParse(text, out var v); result = v; }
        else if (type == typeof(TimeSpan)) { ok = DurationParser.TryParse(text, out var v); result = v; }
        else if (type.IsEnum)
        {
            var name = Enum.GetNames(type).FirstOrDefault(n => Normalize(n) == Normalize(text));
            ok = name is not null;
            if (ok) result = Enum.Parse(type, name!);
            else
            {
                Report(node, path, $"'{text}' is not allowed; use one of: {string.Join(", ", Enum.GetNames(type).Select(ToKebab))}.");
                return Activator.CreateInstance(type);
            }
        }
        if (!ok)
        {
            Report(node, path, $"'{text}' is not {Describe(type)}.");
            return type.IsValueType ? Activator.CreateInstance(type) : null;
        }
        return result;
    }

    private object BindSequence(Type type, Type element, YamlNode node, string path)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
        if (node is YamlSequenceNode seq)
        {
            int i = 0;
            foreach (var item in seq.Children) list.Add(BindValue(element, item, $"{path}[{i++}]"));
        }
        else if (node is YamlScalarNode && IsScalarType(element))
        {
            // A single value where a list is expected is a list of one; saves users a pair of brackets.
            list.Add(BindValue(element, node, $"{path}[0]"));
        }
        else Report(node, path, $"expected a list of {Describe(element)}.");
        if (type.IsArray)
        {
            var array = Array.CreateInstance(element, list.Count);
            list.CopyTo(array, 0);
            return array;
        }
        return list;
    }

    private object BindDictionary(Type type, Type valueType, YamlNode node, string path)
    {
        var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType))!;
        if (node is not YamlMappingNode map)
        {
            Report(node, path, "expected a mapping of names to values.");
            return dict;
        }
        foreach (var (k, v) in map.Children)
        {
            if (k is not YamlScalarNode { Value: { } key })
            {
                Report(k, path, "keys here must be names, not lists or mappings.");
                continue;
            }
            dict[key] = BindValue(valueType, v, $"{path}.{key}");
        }
        return dict;
    }

    private object BindObject(Type type, YamlNode node, string path)
    {
        var instance = Activator.CreateInstance(type)
                       ?? throw new InvalidOperationException($"{type.Name} needs a parameterless constructor.");
        if (node is not YamlMappingNode map)
        {
            Report(node, path, $"expected a mapping with keys: {string.Join(", ", Properties(type).Select(p => ToCamel(p.Name)))}.");
            return instance;
        }
        var props = Properties(type).ToDictionary(p => Normalize(p.Name));
        var valueNodes = new Dictionary<string, YamlNode>();
        var unreadable = new HashSet<string>();
        foreach (var (k, v) in map.Children)
        {
            var key = (k as YamlScalarNode)?.Value ?? "";
            var keyPath = string.IsNullOrEmpty(path) ? key : $"{path}.{key}";
            if (!props.TryGetValue(Normalize(key), out var prop))
            {
                var allowed = props.Values.Select(p => ToCamel(p.Name)).ToList();
                var guess = Suggest(key, allowed);
                Report(k, keyPath, $"unknown key.{(guess is null ? "" : $" Did you mean '{guess}'?")} Allowed here: {string.Join(", ", allowed)}.");
                continue;
            }
            valueNodes[prop.Name] = v;
            int before = _issues.Count;
            bool nullable = _nullability.Create(prop).WriteState == NullabilityState.Nullable;
            prop.SetValue(instance, BindValue(prop.PropertyType, v, keyPath, nullable));
            if (_issues.Count > before) unreadable.Add(prop.Name);
        }
        return Validate(instance, map, path, valueNodes, unreadable);
    }

    // A property whose value could not be read holds a placeholder that is already reported; checking it again
    // would add a second, misleading error ('abc' is not a whole number; 0 is out of range).
    private object Validate(object instance, YamlMappingNode? map, string path, Dictionary<string, YamlNode>? valueNodes, IReadOnlySet<string>? unreadable = null)
    {
        string Join(string key) => string.IsNullOrEmpty(path) ? key : $"{path}.{key}";
        YamlNode? NodeOf(string property) => valueNodes is not null && valueNodes.TryGetValue(property, out var n) ? n : map;

        foreach (var prop in Properties(instance.GetType()).Where(p => unreadable?.Contains(p.Name) != true))
        {
            var value = prop.GetValue(instance);
            foreach (var attr in prop.GetCustomAttributes<ValidationAttribute>())
            {
                if (attr.IsValid(value)) continue;
                var message = attr switch
                {
                    RangeAttribute r => $"{Show(value)} is out of range; allowed: {r.Minimum} to {r.Maximum}.",
                    RequiredAttribute => "is required.",
                    MinLengthAttribute m => $"needs at least {m.Length} item(s).",
                    _ => attr.FormatErrorMessage(ToCamel(prop.Name)),
                };
                Report(NodeOf(prop.Name), Join(ToCamel(prop.Name)), message);
            }
        }
        if (instance is IValidatableConfig validatable)
        {
            foreach (var (key, message) in validatable.Validate())
            {
                var prop = Properties(instance.GetType()).FirstOrDefault(p => Normalize(p.Name) == Normalize(key.Split('.', '[')[0]));
                if (prop is not null && unreadable?.Contains(prop.Name) == true) continue;
                Report(prop is null ? map : NodeOf(prop.Name), Join(key), message);
            }
        }
        return instance;
    }

    private static string Show(object? v) => v switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };

    private static IEnumerable<PropertyInfo> Properties(Type type) => type
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<ConfigIgnoreAttribute>() is null);

    private static bool IsScalarType(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(ByteSize) || t == typeof(TimeSpan) || t == typeof(decimal);
    }

    private static bool IsComplex(Type t) => !IsScalarType(t) && t.IsClass && t != typeof(string)
                                             && !TryElementType(t, out _) && !TryDictionaryValueType(t, out _)
                                             && !typeof(YamlNode).IsAssignableFrom(t);

    private static bool TryElementType(Type t, out Type element)
    {
        element = typeof(object);
        if (t.IsArray) { element = t.GetElementType()!; return true; }
        if (!t.IsGenericType) return false;
        var def = t.GetGenericTypeDefinition();
        if (def == typeof(List<>) || def == typeof(IReadOnlyList<>) || def == typeof(IList<>) || def == typeof(IEnumerable<>) || def == typeof(IReadOnlyCollection<>))
        {
            element = t.GetGenericArguments()[0];
            return true;
        }
        return false;
    }

    private static bool TryDictionaryValueType(Type t, out Type value)
    {
        value = typeof(object);
        if (!t.IsGenericType) return false;
        var def = t.GetGenericTypeDefinition();
        if ((def == typeof(Dictionary<,>) || def == typeof(IReadOnlyDictionary<,>) || def == typeof(IDictionary<,>))
            && t.GetGenericArguments()[0] == typeof(string))
        {
            value = t.GetGenericArguments()[1];
            return true;
        }
        return false;
    }

    private static string Describe(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(int) || t == typeof(long) || t == typeof(ulong)) return "a whole number";
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(string)) return "text";
        if (t == typeof(ByteSize)) return "a size such as 512MiB or 8GiB";
        if (t == typeof(TimeSpan)) return "a duration such as 30s, 5m, 2h or 01:30:00";
        if (t.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(t).Select(ToKebab));
        return t.Name;
    }

    internal static string Normalize(string s) => s.Replace("-", "").Replace("_", "").ToLowerInvariant();

    public static string ToCamel(string s) => s.Length == 0 ? s : char.ToLowerInvariant(s[0]) + s[1..];

    public static string ToKebab(string s) =>
        string.Concat(s.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));

    internal static string? Suggest(string key, IEnumerable<string> allowed)
    {
        var best = allowed.Select(a => (a, d: Levenshtein(Normalize(key), Normalize(a)))).OrderBy(x => x.d).FirstOrDefault();
        return best.a is not null && best.d <= Math.Max(2, key.Length / 3) ? best.a : null;
    }

    private static int Levenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        for (int j = 1; j <= b.Length; j++)
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}

/// <summary>A config record that checks relations between its values after binding.</summary>
public interface IValidatableConfig
{
    /// <summary>Problems as (key relative to this record, message).</summary>
    IEnumerable<(string Key, string Message)> Validate();
}

/// <summary>Marks a property the binder must not read from YAML.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ConfigIgnoreAttribute : Attribute;
