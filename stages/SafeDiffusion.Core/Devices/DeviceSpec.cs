using System.Globalization;
using SafeDiffusion.Core.Configuration;

namespace SafeDiffusion.Core.Devices;

public enum DeviceKind { Cpu, Cuda }

/// <summary>A device the scheduler can lease: its id (<c>cpu</c>, <c>cuda:1</c>), memory budget and compute slots.</summary>
public sealed record DeviceSpec(string Id, ByteSize Memory, int ComputeSlots = 1)
{
    public DeviceKind Kind => Id.StartsWith("cuda", StringComparison.Ordinal) ? DeviceKind.Cuda : DeviceKind.Cpu;

    /// <summary>The CUDA ordinal, or -1 for the CPU.</summary>
    public int Index => Kind == DeviceKind.Cuda ? int.Parse(Id[(Id.IndexOf(':') + 1)..], CultureInfo.InvariantCulture) : -1;

    public static DeviceSpec From(DeviceConfig c) => new(c.Id, c.Memory, c.ComputeSlots);

    public override string ToString() => $"{Id} ({Memory})";
}

/// <summary>What a stage asks for: who it is, how much memory its model needs, and which kind of device.</summary>
/// <param name="Kind">Null: a GPU if the config lists one, else the CPU.</param>
public sealed record LeaseRequest(string Holder, ByteSize Memory, DeviceKind? Kind = null);
