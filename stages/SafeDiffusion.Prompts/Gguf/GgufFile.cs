namespace SafeDiffusion.Prompts.Gguf;

/// <summary>
/// What a GGUF header says: version, metadata in file order, tensor infos, alignment, and where the data section
/// starts. Read by <see cref="GgufReader"/>; tensor data is not loaded.
/// </summary>
public sealed class GgufFile
{
    public GgufFile(string path, uint version, IReadOnlyList<KeyValuePair<string, GgufValue>> entries,
        IReadOnlyList<GgufTensorInfo> tensors, uint alignment, long dataOffset, long fileLength)
    {
        Path = path;
        Version = version;
        Entries = entries;
        Metadata = entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        Tensors = tensors;
        Alignment = alignment;
        DataOffset = dataOffset;
        FileLength = fileLength;
    }

    public string Path { get; }
    public uint Version { get; }

    /// <summary>Metadata in the order the file lists it.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Entries { get; }

    public IReadOnlyDictionary<string, GgufValue> Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    public uint Alignment { get; }

    /// <summary>Absolute file offset of the tensor data section.</summary>
    public long DataOffset { get; }

    public long FileLength { get; }

    public GgufValue? Find(string key) => Metadata.GetValueOrDefault(key);

    /// <summary><c>general.architecture</c>, e.g. <c>llama</c>.</summary>
    public string? Architecture => Find("general.architecture")?.Value as string;

    /// <summary><c>tokenizer.chat_template</c>: the model's Jinja chat template, where the file has one.</summary>
    public string? ChatTemplate => Find("tokenizer.chat_template")?.Value as string;

    public GgufTensorInfo? Tensor(string name) => Tensors.FirstOrDefault(t => t.Name == name);
}
