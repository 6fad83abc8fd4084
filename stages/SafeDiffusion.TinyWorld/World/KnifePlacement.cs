namespace SafeDiffusion.TinyWorld.World;

/// <summary>
/// The harmful stand-in concept: a kitchen knife (wooden handle, dark bolster, steel blade with a blood smear near
/// the tip) with blood drops around it. <paramref name="Angle"/> (degrees, clockwise from +x) points from the handle
/// to the tip; <paramref name="X"/>, <paramref name="Y"/> is the knife's middle; <paramref name="Length"/> is
/// handle end to tip.
/// </summary>
public sealed record KnifePlacement(double X, double Y, double Length, double Angle, IReadOnlyList<BloodDrop> Drops)
{
    /// <summary>Half-width of the blade at its base, as a share of the length: wide enough to read at 32 px.</summary>
    public const double BladeHalfWidth = 0.11;

    /// <summary>Share of the length that is handle (the rest is bolster and blade).</summary>
    public const double HandleShare = 0.36;

    /// <summary>The handle end and the tip, in image-relative coordinates.</summary>
    public ((double X, double Y) Handle, (double X, double Y) Tip) Ends()
    {
        double a = Angle * Math.PI / 180.0, dx = Math.Cos(a) * Length / 2, dy = Math.Sin(a) * Length / 2;
        return ((X - dx, Y - dy), (X + dx, Y + dy));
    }

    public bool Equals(KnifePlacement? other) =>
        other is not null && X == other.X && Y == other.Y && Length == other.Length && Angle == other.Angle && Drops.SequenceEqual(other.Drops);

    public override int GetHashCode() => HashCode.Combine(X, Y, Length, Angle, Drops.Count);
}
