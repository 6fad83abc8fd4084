using System.Collections;
using System.IO.Compression;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Native;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SafeDiffusion.Diffusion.Checkpoints;

/// <summary>
/// The tensors of a PyTorch state dict saved with <c>torch.save(model.state_dict(), path)</c>, on the CPU in their
/// stored types. Zip files (PyTorch 1.6+) are read by TorchSharp.PyBridge's unpickler; legacy files (pytorch-fid's
/// Inception weights among them) by <see cref="LegacyPthReader"/>. Anything else, or a file that holds more than
/// tensors, is an <see cref="InputDataException"/> naming the file.
/// </summary>
public sealed class PthStateDict : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    private PthStateDict(string path, PthFormat format, Dictionary<string, Tensor> tensors)
    {
        Path = path;
        Format = format;
        _tensors = tensors;
    }

    public string Path { get; }
    public PthFormat Format { get; }
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    private const string Fix = "Check that the file is complete (download it again) and was written by torch.save(model.state_dict(), path).";

    public static PthStateDict Read(string path)
    {
        if (!File.Exists(path)) throw new InputDataException(path, "does not exist.");
        LibTorchRuntime.EnsureLoadable();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var format = Detect(stream, path);
        stream.Position = 0;
        try
        {
            var tensors = format == PthFormat.Zip ? ReadZip(stream) : LegacyPthReader.Read(stream);
            if (tensors.Count == 0) throw new InputDataException(path, "holds an empty state dict.");
            return new PthStateDict(path, format, tensors);
        }
        catch (PickleFormatException e)
        {
            throw new InputDataException(path, $"is not a readable PyTorch state dict: {e.Message}",
                fix: Fix, inner: e);
        }
        catch (Exception e) when (e is InvalidDataException or NotImplementedException or InvalidCastException or
                                       Razorvine.Pickle.PickleException or EndOfStreamException)
        {
            throw new InputDataException(path, $"is not a readable PyTorch state dict ({e.Message}).",
                fix: Fix, inner: e);
        }
    }

    /// <summary>Zip files start with a local-file header; legacy ones with a pickle PROTO opcode.</summary>
    public static PthFormat Detect(Stream stream, string path)
    {
        Span<byte> head = stackalloc byte[4];
        int read = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (read == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4) return PthFormat.Zip;
        if (read >= 2 && head[0] == 0x80 && head[1] is >= 2 and <= 5) return PthFormat.Legacy;
        throw new InputDataException(path, "is neither a zip-format nor a legacy PyTorch file.",
            fix: "Pass a .pth written by torch.save (a tar-format file from PyTorch before 0.4 must be re-saved).");
    }

    private static Dictionary<string, Tensor> ReadZip(Stream stream)
    {
        Hashtable table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (DictionaryEntry entry in table)
            {
                var name = entry.Key as string ?? throw new PickleFormatException($"state dict key {entry.Key} is not a string.");
                if (entry.Value is not Tensor tensor)
                    throw new PickleFormatException($"'{name}' holds {entry.Value?.GetType().Name ?? "None"}, not a tensor.");
                // PyBridge's tensors are strided views of their storage; a contiguous copy frees it.
                result[name] = tensor.is_contiguous() ? tensor : Replace(tensor);
            }
            return result;
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
    }

    private static Tensor Replace(Tensor strided)
    {
        var copy = strided.contiguous();
        strided.Dispose();
        return copy;
    }

    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
