namespace SafeDiffusion.Evaluation.Classifiers.Onnx;

/// <summary>How the model's image input is laid out: channels first (PyTorch exports) or last (TensorFlow/Keras exports).</summary>
public enum OnnxTensorLayout { Nchw, Nhwc }
