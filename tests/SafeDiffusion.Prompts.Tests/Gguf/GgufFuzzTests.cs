using System.Text;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Testing;
using SafeDiffusion.Testing.Fuzzing;
using SafeDiffusion.TinyWorld.TinyLlm;
using Xunit.Abstractions;

namespace SafeDiffusion.Prompts.Tests.Gguf;

[CollectionDefinition(FuzzRunner.CollectionName, DisableParallelization = true)]
public sealed class GgufFuzzCollection;

/// <summary>
/// Seeded mutations of the tiny GGUF that <see cref="GgufWriter"/> writes (bit flips, truncations, and the header
/// counts, key and string lengths, array counts, tensor dimension counts, dimensions and data offsets set to 0,
/// -1, 2^31 and 2^63), each read and validated as the writer does before llama.cpp sees a file: success or an
/// InputDataException, never another exception, a hang or unbounded memory.
/// </summary>
[Collection(FuzzRunner.CollectionName)]
[Trait("Category", "Fuzz")]
public class GgufFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 240;

    [Fact]
    public void Mutated_gguf_files_validate_or_end_in_an_input_error()
    {
        using var dir = new TempDirectory();
        var validPath = dir.File("valid.gguf");
        TinyLlamaGguf.Write(validPath);
        var original = File.ReadAllBytes(validPath);
        var mutator = new ByteMutator(original, LengthFields(original, GgufReader.Read(validPath)), seed: 26);

        var path = dir.File("case.gguf");
        var counts = FuzzRunner.Run("gguf", mutator.Cases(Cases), c =>
        {
            File.WriteAllBytes(path, c.Bytes);
            GgufValidator.ValidateForTextGeneration(path);
        }, e => e is InputDataException, output);

        FuzzAssert.Held(counts, minimumCases: Cases, someMustRead: true);
    }

    // Where the GGUF layout puts its lengths and counts, found from the names the valid file holds: a key or tensor
    // name is preceded by its 64-bit length; a key is followed by its 32-bit type, and an array's element type and
    // 64-bit count or a string's 64-bit length; a tensor name by its 32-bit dimension count, the 64-bit dimensions,
    // the 32-bit type and the 64-bit data offset.
    private static List<NumberField> LengthFields(byte[] bytes, GgufFile file)
    {
        var fields = new List<NumberField> { NumberField.Binary64(8), NumberField.Binary64(16) };
        foreach (var (key, value) in file.Entries)
        {
            int at = IndexOfName(bytes, key);
            if (at < 0) continue;
            int end = at + Encoding.UTF8.GetByteCount(key);
            fields.Add(NumberField.Binary64(at - 8));
            if (value.IsArray) fields.Add(NumberField.Binary64(end + 8));
            else if (value.Value is string) fields.Add(NumberField.Binary64(end + 4));
        }
        foreach (var tensor in file.Tensors)
        {
            int at = IndexOfName(bytes, tensor.Name);
            if (at < 0) continue;
            int end = at + Encoding.UTF8.GetByteCount(tensor.Name);
            fields.Add(NumberField.Binary64(at - 8));
            fields.Add(NumberField.Binary32(end));
            for (int d = 0; d < tensor.Shape.Count; d++) fields.Add(NumberField.Binary64(end + 4 + 8 * d));
            fields.Add(NumberField.Binary64(end + 4 + 8 * tensor.Shape.Count + 4));
        }
        return fields;
    }

    // The first place the name is written with its own length before it, as GGUF writes every key and tensor name.
    private static int IndexOfName(byte[] bytes, string name)
    {
        var pattern = Encoding.UTF8.GetBytes(name);
        for (int from = 8; ;)
        {
            int at = bytes.AsSpan(from).IndexOf(pattern);
            if (at < 0) return -1;
            at += from;
            if (at >= 8 && BitConverter.ToInt64(bytes, at - 8) == pattern.Length) return at;
            from = at + 1;
        }
    }
}
