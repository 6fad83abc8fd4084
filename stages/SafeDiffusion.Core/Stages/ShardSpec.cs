using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// One share of the work, <c>i/N</c> with 0 &lt;= i &lt; N. A record belongs to the shard its stable id hashes to,
/// so N independent processes (a Slurm array, a Kubernetes Indexed Job) split the prompts without talking.
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static ShardSpec All { get; } = new(0, 1);

    public bool IsAll => Count == 1;

    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && i >= 0 && i < n)
            return new ShardSpec(i, n);
        throw new UsageException($"--shard '{text}': expected i/N with 0 <= i < N, for example --shard 0/4.");
    }

    /// <summary>The shard a stable id (prompt_id) falls into.</summary>
    public static int Of(string id, int count)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        return (int)(BinaryPrimitives.ReadUInt64LittleEndian(hash) % (ulong)count);
    }

    public bool Contains(string id) => IsAll || Of(id, Count) == Index;

    public override string ToString() => $"{Index}/{Count}";
}
