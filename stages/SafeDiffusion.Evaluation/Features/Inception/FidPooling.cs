using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features.Inception;

/// <summary>The pooling branches of the 2015-12-05 TensorFlow graph that pytorch-fid reproduces.</summary>
internal static class FidPooling
{
    /// <summary>
    /// 3x3, stride 1, padding 1 average pool that divides by the in-image cells only (count_include_pad=False):
    /// TensorFlow's average pool never counts the zero padding.
    /// </summary>
    public static Tensor AverageExcludingPadding(Tensor x) =>
        nn.functional.avg_pool2d(x, [3, 3], [1, 1], [1, 1], ceil_mode: false, count_include_pad: false);

    /// <summary>3x3, stride 1, padding 1 max pool (the last block of the FID graph; padding never wins a max after ReLU inputs).</summary>
    public static Tensor MaxSamePadding(Tensor x) => nn.functional.max_pool2d(x, [3, 3], [1, 1], [1, 1]);

    /// <summary>3x3, stride 2, no padding: the grid reductions and the stem's max pools.</summary>
    public static Tensor MaxReduce(Tensor x) => nn.functional.max_pool2d(x, [3, 3], [2, 2]);
}
