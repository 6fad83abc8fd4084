namespace SafeDiffusion.TinyWorld.Pretraining;

/// <summary>Means of two series over their last <c>window</c> values: smooth loss figures for the progress line and the report.</summary>
internal sealed class RunningMean(int window)
{
    private readonly Queue<(double A, double B)> _values = new();
    private double _sumA, _sumB;

    public double First => _values.Count == 0 ? double.NaN : _sumA / _values.Count;
    public double Second => _values.Count == 0 ? double.NaN : _sumB / _values.Count;

    public void Add(double a, double b = 0)
    {
        _values.Enqueue((a, b));
        _sumA += a;
        _sumB += b;
        if (_values.Count > window)
        {
            var (oldA, oldB) = _values.Dequeue();
            _sumA -= oldA;
            _sumB -= oldB;
        }
    }
}
