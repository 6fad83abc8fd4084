namespace SafeDiffusion.Evaluation.Classifiers.Onnx;

/// <summary>The order of the colour channels the model expects (Caffe and OpenCV models take BGR).</summary>
public enum OnnxChannelOrder { Rgb, Bgr }
