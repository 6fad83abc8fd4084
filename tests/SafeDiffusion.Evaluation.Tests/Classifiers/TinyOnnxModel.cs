using System.Buffers.Binary;

namespace SafeDiffusion.Evaluation.Tests.Classifiers;

/// <summary>
/// Writes a tiny image classifier as an ONNX ModelProto: [optional Transpose NHWC->NCHW] -> GlobalAveragePool ->
/// Flatten -> Gemm(W, b) -> Softmax. So its output is softmax(mean_per_channel(x) . W + b), which a test can compute by
/// hand. Field numbers from onnx.proto3 (ModelProto: ir_version 1, graph 7, opset_import 8; GraphProto: node 1,
/// name 2, initializer 5, input 11, output 12; NodeProto: input 1, output 2, name 3, op_type 4, attribute 5;
/// AttributeProto: name 1, i 3, ints 8, type 20; TensorProto: dims 1, data_type 2, name 8, raw_data 9;
/// ValueInfoProto: name 1, type 2; TypeProto: tensor_type 1; TypeProto.Tensor: elem_type 1, shape 2;
/// TensorShapeProto: dim 1; Dimension: dim_value 1, dim_param 2).
/// </summary>
internal static class TinyOnnxModel
{
    private const int FloatType = 1;
    private const int AttributeInt = 2;
    private const int AttributeInts = 7;

    /// <param name="weights">Gemm's B, [3, classes], row-major.</param>
    /// <param name="inputDims">The input's declared shape; null entries are symbolic ("batch").</param>
    public static byte[] Build(float[,] weights, float[] bias, long?[] inputDims, bool nhwc)
    {
        int classes = weights.GetLength(1);
        var model = new ProtobufWriter();
        model.Varint(1, 7); // ir_version 7 (ONNX 1.8)
        model.String(2, "safediffusion-tests");
        model.Message(8, o => o.String(1, "").Varint(2, 13)); // opset 13
        model.Message(7, graph =>
        {
            string current = "pixels";
            if (nhwc)
            {
                graph.Message(1, n => n.String(1, "pixels").String(2, "nchw").String(3, "to_nchw").String(4, "Transpose")
                    .Message(5, a => a.String(1, "perm").PackedInt64(8, [0, 3, 1, 2]).Varint(20, AttributeInts)));
                current = "nchw";
            }
            graph.Message(1, n => n.String(1, current).String(2, "pooled").String(3, "pool").String(4, "GlobalAveragePool"));
            graph.Message(1, n => n.String(1, "pooled").String(2, "flat").String(3, "flatten").String(4, "Flatten")
                .Message(5, a => a.String(1, "axis").Varint(3, 1).Varint(20, AttributeInt)));
            graph.Message(1, n => n.String(1, "flat").String(1, "W").String(1, "b").String(2, "logits").String(3, "gemm").String(4, "Gemm"));
            graph.Message(1, n => n.String(1, "logits").String(2, "probs").String(3, "softmax").String(4, "Softmax")
                .Message(5, a => a.String(1, "axis").Varint(3, 1).Varint(20, AttributeInt)));
            graph.String(2, "tiny-classifier");
            var w = new float[weights.Length];
            Buffer.BlockCopy(weights, 0, w, 0, w.Length * sizeof(float));
            graph.Message(5, t => Tensor(t, "W", [3, classes], w));
            graph.Message(5, t => Tensor(t, "b", [classes], bias));
            graph.Message(11, v => ValueInfo(v, "pixels", inputDims));
            graph.Message(12, v => ValueInfo(v, "probs", [null, classes]));
        });
        return model.ToArray();
    }

    private static void Tensor(ProtobufWriter t, string name, long[] dims, float[] values)
    {
        t.PackedInt64(1, dims);
        t.Varint(2, FloatType);
        t.String(8, name);
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
        t.Bytes(9, raw);
    }

    private static void ValueInfo(ProtobufWriter v, string name, long?[] dims)
    {
        v.String(1, name);
        v.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Varint(1, FloatType);
            tensor.Message(2, shape =>
            {
                foreach (var d in dims)
                    shape.Message(1, dim =>
                    {
                        if (d is { } value) dim.Varint(1, value);
                        else dim.String(2, "batch");
                    });
            });
        }));
    }
}
