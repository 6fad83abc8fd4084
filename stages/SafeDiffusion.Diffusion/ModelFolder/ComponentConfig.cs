using System.Text.Json;
using System.Text.Json.Serialization;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Diffusion.ModelFolder;

/// <summary>
/// Reads a component's <c>config.json</c> (diffusers or transformers) into a config record: snake_case keys, unknown
/// keys ignored (configs carry many keys a port does not need), missing keys keep the record's defaults, which
/// mirror the reference library's defaults.
/// </summary>
public static class ComponentConfig
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static T Read<T>(string path) where T : class
    {
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.", fix: "A diffusers component folder needs its config.json.");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
                   ?? throw new InputDataException(path, "is empty (null).");
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 0 } p ? p.TrimStart('$', '.') : null;
            throw new InputDataException(path, $"cannot be read as {typeof(T).Name}: {e.Message}", field);
        }
    }

    public static void Write<T>(string path, T config) where T : class =>
        Core.IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(config, Json));
}

/// <summary>
/// A config value that diffusers allows as one number for every block or a list with one per block
/// (<c>attention_head_dim: 8</c> or <c>[5, 10, 20, 20]</c>).
/// </summary>
[JsonConverter(typeof(IntOrListConverter))]
public sealed record IntOrList(IReadOnlyList<int> Values, bool IsScalar)
{
    public static IntOrList Scalar(int value) => new([value], true);
    public static IntOrList List(params int[] values) => new(values, false);

    /// <summary>The value for block <paramref name="index"/> of <paramref name="blockCount"/>.</summary>
    public int For(int index) => IsScalar ? Values[0] : Values[index];

    /// <summary>One value per block.</summary>
    public IReadOnlyList<int> Expand(int blockCount) => IsScalar ? Enumerable.Repeat(Values[0], blockCount).ToList() : Values;
}

public sealed class IntOrListConverter : JsonConverter<IntOrList>
{
    public override IntOrList Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return IntOrList.Scalar(reader.GetInt32());
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("expected a number or a list of numbers.");
        var values = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) values.Add(reader.GetInt32());
        return new IntOrList(values, false);
    }

    public override void Write(Utf8JsonWriter writer, IntOrList value, JsonSerializerOptions options)
    {
        if (value.IsScalar) { writer.WriteNumberValue(value.Values[0]); return; }
        writer.WriteStartArray();
        foreach (var v in value.Values) writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }
}
