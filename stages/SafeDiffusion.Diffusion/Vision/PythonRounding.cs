using System.Numerics;

namespace SafeDiffusion.Diffusion.Vision;

/// <summary>
/// Python's <c>round(x, ndigits)</c> for floats: the exact binary value rounded half-to-even at the decimal digit,
/// then the nearest double. <see cref="Math.Round(double, int, MidpointRounding)"/> scales by a power of ten first,
/// which can land on the wrong side of a midpoint; the safety checker's flags hinge on these roundings.
/// </summary>
public static class PythonRounding
{
    public static double Round(double x, int digits)
    {
        if (digits is < 0 or > 15) throw new ArgumentOutOfRangeException(nameof(digits));
        if (double.IsNaN(x) || double.IsInfinity(x) || x == 0 || Math.Abs(x) >= 1e15) return x;

        long bits = BitConverter.DoubleToInt64Bits(x);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075; // |x| = mantissa * 2^exponent

        var pow10 = BigInteger.Pow(10, digits);
        BigInteger rounded;
        if (exponent >= 0)
        {
            rounded = mantissa * pow10 << exponent;
        }
        else
        {
            var numerator = mantissa * pow10;
            var denominator = BigInteger.One << -exponent;
            var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
            int cmp = (remainder * 2).CompareTo(denominator);
            rounded = cmp > 0 || (cmp == 0 && !quotient.IsEven) ? quotient + 1 : quotient;
        }
        // rounded < 2^53 here, so this division is the correctly rounded n / 10^digits, as Python's strtod gives.
        double result = (double)rounded / Math.Pow(10, digits);
        return negative ? -result : result;
    }
}
