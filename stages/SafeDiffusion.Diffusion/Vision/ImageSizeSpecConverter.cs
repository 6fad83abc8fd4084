using System.Text.Json;
using System.Text.Json.Serialization;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>Reads and writes <see cref="ImageSizeSpec"/> in either of its config spellings.</summary>
public sealed class ImageSizeSpecConverter : JsonConverter<ImageSizeSpec>
{
    public override ImageSizeSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return new ImageSizeSpec(reader.GetInt32(), null, null, null);
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("expected a number or an object with shortest_edge or height and width.");
        int? edge = null, height = null, width = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            int? value = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt32();
            switch (name)
            {
                case "shortest_edge": edge = value; break;
                case "height": height = value; break;
                case "width": width = value; break;
                default: reader.Skip(); break;
            }
        }
        return new ImageSizeSpec(null, edge, height, width);
    }

    public override void Write(Utf8JsonWriter writer, ImageSizeSpec value, JsonSerializerOptions options)
    {
        if (value.Scalar is int s) { writer.WriteNumberValue(s); return; }
        writer.WriteStartObject();
        if (value.ShortestEdge is int e) writer.WriteNumber("shortest_edge", e);
        if (value.Height is int h) writer.WriteNumber("height", h);
        if (value.Width is int w) writer.WriteNumber("width", w);
        writer.WriteEndObject();
    }
}
