using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Diffusion.Vision;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Classifiers.Onnx;

/// <summary>
/// A user's ONNX image classifier run through ONNX Runtime, described by an <see cref="OnnxClassifierSpec"/> JSON
/// file beside the model. Images are resized with Pillow's filter to the spec's size, scaled, normalised, laid out and
/// batched; the output row becomes label probabilities, the harmful labels' probabilities one harm score, and the
/// image is flagged when the score reaches the threshold. The model's declared input and output shapes are checked
/// against the spec when it loads, so a mismatched JSON fails before any image is scored.
/// </summary>
public sealed class OnnxHarmClassifier : IHarmClassifier
{
    private readonly InferenceSession _session;
    private readonly string _modelPath;
    private readonly string _specPath;
    private readonly string _inputName;
    private readonly string _outputName;

    private OnnxHarmClassifier(InferenceSession session, OnnxClassifierSpec spec, string modelPath, string specPath,
        string inputName, string outputName, int batchSize)
    {
        _session = session;
        _modelPath = modelPath;
        _specPath = specPath;
        _inputName = inputName;
        _outputName = outputName;
        Spec = spec;
        BatchSize = batchSize;
    }

    public string Name => Spec.Name;

    public OnnxClassifierSpec Spec { get; }

    /// <summary>Images per ONNX Runtime call (1 when the model's batch dimension is fixed at 1).</summary>
    public int BatchSize { get; }

    /// <param name="specPath">The JSON description; default: the model path with <c>.json</c> in place of <c>.onnx</c>.</param>
    public static OnnxHarmClassifier FromFile(string onnxPath, string? specPath = null, int batchSize = 16, SessionOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (!File.Exists(onnxPath)) throw new InputDataException(onnxPath, "does not exist.");
        specPath ??= OnnxClassifierSpec.PathFor(onnxPath);
        var spec = OnnxClassifierSpec.Read(specPath, Path.GetFileNameWithoutExtension(onnxPath));

        InferenceSession session;
        try
        {
            session = options is null ? new InferenceSession(onnxPath) : new InferenceSession(onnxPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InputDataException(onnxPath, $"is not a model ONNX Runtime can load ({e.Message}).", inner: e);
        }
        try
        {
            var (inputName, batchFixedAtOne) = CheckInput(session, spec, onnxPath, specPath);
            var outputName = CheckOutput(session, spec, onnxPath, specPath);
            return new OnnxHarmClassifier(session, spec, onnxPath, specPath, inputName, outputName, batchFixedAtOne ? 1 : batchSize);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public IReadOnlyList<HarmVerdict> Classify(IReadOnlyList<Rgb8Image> images) =>
        Probabilities(images).Select(p => Judge(Spec, p)).ToList();

    /// <summary>Per-label probabilities (after the spec's activation), one row per image, in label order.</summary>
    public IReadOnlyList<double[]> Probabilities(IReadOnlyList<Rgb8Image> images)
    {
        var rows = new List<double[]>(images.Count);
        int perImage = 3 * Spec.Width * Spec.Height;
        for (int start = 0; start < images.Count; start += BatchSize)
        {
            int count = Math.Min(BatchSize, images.Count - start);
            var data = new float[count * perImage];
            for (int i = 0; i < count; i++) Encode(images[start + i], Spec, data.AsSpan(i * perImage, perImage));
            long[] shape = Spec.Layout == OnnxTensorLayout.Nchw
                ? [count, 3, Spec.Height, Spec.Width]
                : [count, Spec.Height, Spec.Width, 3];
            using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, [_inputName], [input], [_outputName]);
            var output = outputs[0];
            var outShape = output.GetTensorTypeAndShape().Shape;
            var values = output.GetTensorDataAsSpan<float>();
            int labels = Spec.Labels.Count;
            if (values.Length != count * labels)
                throw new InputDataException(_specPath, $"lists {labels} labels but {_modelPath} output '{_outputName}' has shape [{string.Join(", ", outShape)}] for {count} image(s).",
                    "labels", "List exactly one label per output value.");
            for (int i = 0; i < count; i++)
            {
                var row = new double[labels];
                for (int l = 0; l < labels; l++) row[l] = values[i * labels + l];
                rows.Add(Activate(row, Spec.Activation));
            }
        }
        return rows;
    }

    /// <summary>
    /// Writes one image as the model's input values: resized (Pillow filter) to the spec's size, channels in the spec's
    /// order, value * scale, minus mean, over std, laid out CHW or HWC.
    /// </summary>
    internal static void Encode(Rgb8Image image, OnnxClassifierSpec spec, Span<float> destination)
    {
        int w = spec.Width, h = spec.Height;
        var pixels = image.Width == w && image.Height == h ? image.Pixels : Resized(image, w, h, spec.Resize);
        Span<double> mean = stackalloc double[3], std = stackalloc double[3];
        for (int c = 0; c < 3; c++)
        {
            mean[c] = spec.Mean[c];
            std[c] = spec.Std[c];
        }
        bool bgr = spec.ChannelOrder == OnnxChannelOrder.Bgr;
        bool chw = spec.Layout == OnnxTensorLayout.Nchw;
        for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
        {
            int pixel = (y * w + x) * 3;
            for (int c = 0; c < 3; c++)
            {
                int source = bgr ? 2 - c : c;
                double value = (pixels[pixel + source] * spec.Scale - mean[c]) / std[c];
                int at = chw ? c * h * w + y * w + x : pixel + c;
                destination[at] = (float)value;
            }
        }
    }

    internal static double[] Activate(double[] row, OnnxOutputActivation activation)
    {
        switch (activation)
        {
            case OnnxOutputActivation.Softmax:
            {
                double max = row.Max();
                var exp = row.Select(v => Math.Exp(v - max)).ToArray();
                double sum = exp.Sum();
                return exp.Select(e => e / sum).ToArray();
            }
            case OnnxOutputActivation.Sigmoid:
                return row.Select(v => 1.0 / (1.0 + Math.Exp(-v))).ToArray();
            default:
                return row;
        }
    }

    /// <summary>
    /// The verdict for one row of label probabilities: the harm score combines the harmful labels' probabilities,
    /// the category is the most probable harmful label of a flagged image, the concepts are the harmful labels that
    /// reach the threshold on their own.
    /// </summary>
    public static HarmVerdict Judge(OnnxClassifierSpec spec, double[] probabilities)
    {
        if (probabilities.Length != spec.Labels.Count)
            throw new ArgumentException($"{probabilities.Length} probabilities for {spec.Labels.Count} labels.", nameof(probabilities));
        var harmful = spec.HarmfulLabels.Select(label => (Label: label, P: probabilities[IndexOf(spec.Labels, label)])).ToList();
        double score = spec.Combine == OnnxScoreCombine.Max ? harmful.Max(h => h.P) : harmful.Sum(h => h.P);
        bool flagged = score >= spec.Threshold;
        var top = harmful.MaxBy(h => h.P);
        var concepts = harmful.Where(h => h.P >= spec.Threshold).OrderByDescending(h => h.P).Select(h => h.Label).ToList();
        return new HarmVerdict(flagged, score, flagged ? top.Label : null, concepts);
    }

    private static int IndexOf(IReadOnlyList<string> labels, string label)
    {
        for (int i = 0; i < labels.Count; i++)
            if (string.Equals(labels[i], label, StringComparison.Ordinal)) return i;
        throw new ArgumentException($"'{label}' is not a label.", nameof(label));
    }

    private static byte[] Resized(Rgb8Image image, int width, int height, PillowFilter filter)
    {
        LibTorchRuntime.EnsureLoadable();
        using var scope = torch.NewDisposeScope();
        var hwc = torch.tensor(image.Pixels, [image.Height, image.Width, 3], ScalarType.Byte);
        return PillowResampler.Resize(hwc, width, height, filter).data<byte>().ToArray();
    }

    private static (string Name, bool BatchFixedAtOne) CheckInput(InferenceSession session, OnnxClassifierSpec spec, string modelPath, string specPath)
    {
        var inputs = session.InputMetadata;
        string name;
        if (spec.InputName is { } wanted)
        {
            if (!inputs.ContainsKey(wanted))
                throw new InputDataException(specPath, $"is '{wanted}' but {modelPath} has inputs {Names(inputs.Keys)}.", "input_name");
            name = wanted;
        }
        else if (inputs.Count == 1) name = inputs.Keys.First();
        else throw new InputDataException(specPath, $"is needed: {modelPath} has inputs {Names(inputs.Keys)}.", "input_name");

        var meta = inputs[name];
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
            throw new InputDataException(modelPath, $"input '{name}' is {meta.ElementDataType}, not a float32 tensor; only float32 image inputs are supported.");
        var dims = meta.Dimensions;
        if (dims.Length != 4)
            throw new InputDataException(modelPath, $"input '{name}' has {dims.Length} dimensions; an image classifier takes [batch, 3, H, W] or [batch, H, W, 3].");
        var (channelAxis, heightAxis, widthAxis) = spec.Layout == OnnxTensorLayout.Nchw ? (1, 2, 3) : (3, 1, 2);
        if (dims[channelAxis] is not (3 or -1))
            throw new InputDataException(specPath, $"is \"{spec.Layout.ToString().ToLowerInvariant()}\" but input '{name}' of {modelPath} has shape [{string.Join(", ", dims)}], which has no 3-channel axis there.", "layout");
        if (dims[heightAxis] is > 0 and var h && h != spec.Height)
            throw new InputDataException(specPath, $"is {spec.Height} but {modelPath} input '{name}' is fixed at height {h} (shape [{string.Join(", ", dims)}]).", "height");
        if (dims[widthAxis] is > 0 and var w && w != spec.Width)
            throw new InputDataException(specPath, $"is {spec.Width} but {modelPath} input '{name}' is fixed at width {w} (shape [{string.Join(", ", dims)}]).", "width");
        if (dims[0] > 1)
            throw new InputDataException(modelPath, $"input '{name}' has a fixed batch of {dims[0]}; export the model with a dynamic (or 1) batch dimension.");
        return (name, dims[0] == 1);
    }

    private static string CheckOutput(InferenceSession session, OnnxClassifierSpec spec, string modelPath, string specPath)
    {
        var outputs = session.OutputMetadata;
        string name;
        if (spec.OutputName is { } wanted)
        {
            if (!outputs.ContainsKey(wanted))
                throw new InputDataException(specPath, $"is '{wanted}' but {modelPath} has outputs {Names(outputs.Keys)}.", "output_name");
            name = wanted;
        }
        else name = session.OutputNames[0];
        var meta = outputs[name];
        if (!meta.IsTensor || meta.ElementDataType != TensorElementType.Float)
            throw new InputDataException(modelPath, $"output '{name}' is {meta.ElementDataType}, not a float32 tensor.");
        var dims = meta.Dimensions;
        if (dims.Length is 0 or > 2)
            throw new InputDataException(modelPath, $"output '{name}' has shape [{string.Join(", ", dims)}]; expected [batch, labels].");
        if (dims[^1] > 0 && dims[^1] != spec.Labels.Count)
            throw new InputDataException(specPath, $"lists {spec.Labels.Count} labels but {modelPath} output '{name}' has {dims[^1]} values per image.",
                "labels", "List exactly one label per output value, in output order.");
        return name;
    }

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    public void Dispose() => _session.Dispose();
}
