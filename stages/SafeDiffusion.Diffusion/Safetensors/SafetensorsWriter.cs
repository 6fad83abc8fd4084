using System.Text;
using System.Text.Json;
using SafeDiffusion.Core.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Safetensors;

/// <summary>
/// Writes tensors in the safetensors format (8-byte header length, JSON header padded to 8 bytes, raw data in
/// header order), atomically: a reader sees the old file or the complete new one.
/// </summary>
public static class SafetensorsWriter
{
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, t) in items)
        {
            long bytes = t.NumberOfElements * t.ElementSize;
            header[name] = new
            {
                dtype = SafetensorsDTypes.FromScalarType(t.dtype).ToString(),
                shape = t.shape,
                data_offsets = new[] { offset, offset + bytes },
            };
            offset += bytes;
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int padded = (json.Length + 7) / 8 * 8;
        var headerBytes = new byte[padded];
        headerBytes.AsSpan().Fill((byte)' ');
        json.CopyTo(headerBytes, 0);

        AtomicFile.Write(path, stream =>
        {
            stream.Write(BitConverter.GetBytes((long)padded));
            stream.Write(headerBytes);
            foreach (var (_, t) in items)
            {
                using var scope = torch.NewDisposeScope();
                var cpu = t.detach().cpu().contiguous();
                if (cpu.NumberOfElements > 0) stream.Write(cpu.bytes);
            }
        });
    }

    public static void Write(string path, nn.Module module, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(path, module.state_dict(), metadata);
}
