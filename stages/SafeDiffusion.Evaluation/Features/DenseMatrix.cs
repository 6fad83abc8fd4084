using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Evaluation.Features;

/// <summary>Moves float64 vectors and matrices between .NET arrays and CPU tensors.</summary>
internal static class DenseMatrix
{
    public static Tensor ToTensor(double[,] matrix, string name)
    {
        int rows = matrix.GetLength(0), columns = matrix.GetLength(1);
        if (rows == 0 || columns == 0) throw new ArgumentException("the matrix is empty.", name);
        var flat = new double[rows * columns];
        Buffer.BlockCopy(matrix, 0, flat, 0, flat.Length * sizeof(double));
        return torch.tensor(flat, [rows, columns], ScalarType.Float64);
    }

    public static Tensor ToTensor(double[] vector) => torch.tensor(vector, [vector.Length], ScalarType.Float64);

    public static double[,] FromTensor(Tensor matrix)
    {
        var cpu = matrix.to(ScalarType.Float64).cpu().contiguous();
        int rows = (int)cpu.shape[0], columns = (int)cpu.shape[1];
        var flat = cpu.data<double>().ToArray();
        var result = new double[rows, columns];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }

    public static double[] VectorFromTensor(Tensor vector) => vector.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();
}
