using System.Globalization;
using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.Evaluation.Classifiers.Onnx;

/// <summary>
/// How to feed images to a user's ONNX image classifier and read its verdict: the JSON file beside the model
/// (<c>nsfw.onnx</c> is described by <c>nsfw.json</c>). Keys, snake_case; only the first three are required:
/// <code>
/// {
///   "width": 224, "height": 224,              // input size the image is resized to (1..4096)
///   "labels": ["drawing", "neutral", "porn"], // one per output value, in output order
///   "harmful_labels": ["porn"],               // the labels that count as harmful (a non-empty subset of labels)
///   "threshold": 0.5,                         // flagged when the harm score &gt;= threshold (default 0.5)
///   "combine": "sum",                         // harm score: "sum" (default) or "max" of the harmful labels' probabilities
///   "activation": "none",                     // applied to the output row first: "none" (default), "softmax", "sigmoid"
///   "layout": "nchw",                         // "nchw" (default) or "nhwc"
///   "channel_order": "rgb",                   // "rgb" (default) or "bgr"
///   "resize": "bilinear",                     // Pillow filter: "bilinear" (default), "bicubic", "lanczos", "box", "hamming"
///   "scale": 0.00392156862745098,             // pixel value (0..255) times scale (default 1/255) ...
///   "mean": [0.485, 0.456, 0.406],            // ... minus mean, divided by std, per channel in the model's
///   "std": [0.229, 0.224, 0.225],             //     channel order (defaults 0 and 1)
///   "name": "my-nsfw",                        // classifier name in the results (default: the model file's stem)
///   "input_name": "input", "output_name": "probs" // default: the model's only input and its first output
/// }
/// </code>
/// Unknown keys are refused, so a misspelt key never silently falls back to a default.
/// </summary>
public sealed record OnnxClassifierSpec
{
    public const double DefaultScale = 1.0 / 255.0;
    public const int MaxSide = 4096;

    public string Name { get; init; } = "onnx";
    public string? InputName { get; init; }
    public string? OutputName { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public OnnxTensorLayout Layout { get; init; } = OnnxTensorLayout.Nchw;
    public OnnxChannelOrder ChannelOrder { get; init; } = OnnxChannelOrder.Rgb;
    public PillowFilter Resize { get; init; } = PillowFilter.Bilinear;
    public double Scale { get; init; } = DefaultScale;
    public IReadOnlyList<double> Mean { get; init; } = [0, 0, 0];
    public IReadOnlyList<double> Std { get; init; } = [1, 1, 1];
    public OnnxOutputActivation Activation { get; init; } = OnnxOutputActivation.None;
    public IReadOnlyList<string> Labels { get; init; } = [];
    public IReadOnlyList<string> HarmfulLabels { get; init; } = [];
    public OnnxScoreCombine Combine { get; init; } = OnnxScoreCombine.Sum;
    public double Threshold { get; init; } = 0.5;

    /// <summary>The description file for a model: the same path with <c>.json</c> in place of <c>.onnx</c>.</summary>
    public static string PathFor(string onnxPath) => Path.ChangeExtension(onnxPath, ".json");

    private static readonly string[] KnownKeys =
    [
        "name", "input_name", "output_name", "width", "height", "layout", "channel_order", "resize", "scale", "mean", "std",
        "activation", "labels", "harmful_labels", "combine", "threshold",
    ];

    /// <summary>Reads and validates the file; every problem is an <see cref="InputDataException"/> naming the file and key.</summary>
    public static OnnxClassifierSpec Read(string path, string defaultName)
    {
        if (!File.Exists(path))
            throw new InputDataException(path, "does not exist.", fix: "An ONNX classifier needs a JSON file beside it describing its input and labels (see OnnxClassifierSpec).");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not valid JSON ({e.Message}).");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InputDataException(path, "is not a JSON object.");
            foreach (var property in root.EnumerateObject())
                if (!KnownKeys.Contains(property.Name, StringComparer.Ordinal))
                    throw new InputDataException(path, "is not a known key.", property.Name, $"Known keys: {string.Join(", ", KnownKeys)}.");

            var reader = new Reader(path, root);
            var spec = new OnnxClassifierSpec
            {
                Name = reader.String("name") ?? defaultName,
                InputName = reader.String("input_name"),
                OutputName = reader.String("output_name"),
                Width = reader.RequiredInt("width", 1, MaxSide),
                Height = reader.RequiredInt("height", 1, MaxSide),
                Layout = reader.Choice("layout", OnnxTensorLayout.Nchw, ("nchw", OnnxTensorLayout.Nchw), ("nhwc", OnnxTensorLayout.Nhwc)),
                ChannelOrder = reader.Choice("channel_order", OnnxChannelOrder.Rgb, ("rgb", OnnxChannelOrder.Rgb), ("bgr", OnnxChannelOrder.Bgr)),
                Resize = reader.Choice("resize", PillowFilter.Bilinear, ("bilinear", PillowFilter.Bilinear), ("bicubic", PillowFilter.Bicubic),
                    ("lanczos", PillowFilter.Lanczos), ("box", PillowFilter.Box), ("hamming", PillowFilter.Hamming)),
                Scale = reader.Number("scale") ?? DefaultScale,
                Mean = reader.Triple("mean") ?? [0, 0, 0],
                Std = reader.Triple("std") ?? [1, 1, 1],
                Activation = reader.Choice("activation", OnnxOutputActivation.None, ("none", OnnxOutputActivation.None),
                    ("softmax", OnnxOutputActivation.Softmax), ("sigmoid", OnnxOutputActivation.Sigmoid)),
                Labels = reader.RequiredStrings("labels"),
                HarmfulLabels = reader.RequiredStrings("harmful_labels"),
                Combine = reader.Choice("combine", OnnxScoreCombine.Sum, ("sum", OnnxScoreCombine.Sum), ("max", OnnxScoreCombine.Max)),
                Threshold = reader.Number("threshold") ?? 0.5,
            };
            spec.Validate(path);
            return spec;
        }
    }

    /// <summary>Checks the values together; <paramref name="path"/> names the file in errors.</summary>
    public void Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new InputDataException(path, "is empty.", "name");
        if (Width is < 1 or > MaxSide) throw new InputDataException(path, $"is {Width}; expected 1..{MaxSide}.", "width");
        if (Height is < 1 or > MaxSide) throw new InputDataException(path, $"is {Height}; expected 1..{MaxSide}.", "height");
        if (!double.IsFinite(Scale) || Scale == 0) throw new InputDataException(path, $"is {Scale}; expected a non-zero number.", "scale");
        if (Mean.Count != 3 || Mean.Any(m => !double.IsFinite(m))) throw new InputDataException(path, "needs three finite numbers, one per channel.", "mean");
        if (Std.Count != 3 || Std.Any(s => !double.IsFinite(s) || s <= 0)) throw new InputDataException(path, "needs three positive numbers, one per channel.", "std");
        if (!double.IsFinite(Threshold)) throw new InputDataException(path, "is not a finite number.", "threshold");
        if (Labels.Count == 0) throw new InputDataException(path, "is empty; list one label per model output value.", "labels");
        if (Labels.Any(string.IsNullOrWhiteSpace)) throw new InputDataException(path, "has an empty label.", "labels");
        var duplicate = Labels.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InputDataException(path, $"lists '{duplicate.Key}' twice.", "labels");
        if (HarmfulLabels.Count == 0) throw new InputDataException(path, "is empty; name the labels that count as harmful.", "harmful_labels");
        foreach (var label in HarmfulLabels)
            if (!Labels.Contains(label, StringComparer.Ordinal))
                throw new InputDataException(path, $"names '{label}', which is not in labels [{string.Join(", ", Labels)}].", "harmful_labels");
    }

    /// <summary>Typed access to the JSON object, naming the key in every complaint.</summary>
    private readonly struct Reader(string path, JsonElement root)
    {
        public string? String(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.String) throw new InputDataException(path, $"must be a string, not {Kind(v)}.", key);
            return v.GetString();
        }

        public int RequiredInt(string key, int min, int max)
        {
            if (!root.TryGetProperty(key, out var v)) throw new InputDataException(path, "is missing.", key, $"Give the model's input {key} in pixels.");
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n)) throw new InputDataException(path, $"must be a whole number, not {v.GetRawText()}.", key);
            if (n < min || n > max) throw new InputDataException(path, $"is {n}; expected {min}..{max}.", key);
            return n;
        }

        public double? Number(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Number) throw new InputDataException(path, $"must be a number, not {v.GetRawText()}.", key);
            return v.GetDouble();
        }

        public IReadOnlyList<double>? Triple(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 3 || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number))
                throw new InputDataException(path, $"must be three numbers, one per channel, not {v.GetRawText()}.", key);
            return v.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        }

        public IReadOnlyList<string> RequiredStrings(string key)
        {
            if (!root.TryGetProperty(key, out var v)) throw new InputDataException(path, "is missing.", key);
            if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                throw new InputDataException(path, $"must be an array of strings, not {v.GetRawText()}.", key);
            return v.EnumerateArray().Select(e => e.GetString()!).ToArray();
        }

        public T Choice<T>(string key, T fallback, params (string Text, T Value)[] choices)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
            var text = v.ValueKind == JsonValueKind.String ? v.GetString()!.ToLowerInvariant() : null;
            foreach (var (t, value) in choices)
                if (t == text) return value;
            throw new InputDataException(path, $"is {v.GetRawText()}; expected one of {string.Join(", ", choices.Select(c => $"\"{c.Text}\""))}.", key);
        }

        private static string Kind(JsonElement v) => v.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture);
    }
}
