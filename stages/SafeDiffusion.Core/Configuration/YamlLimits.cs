namespace SafeDiffusion.Core.Configuration;

/// <summary>
/// What a configuration text may cost before it is parsed into a tree: its size in bytes, how deeply collections
/// nest, and how many nodes it stands for once every alias is expanded. The defaults are far above any real config
/// (the shipped ones are a few KiB, nest 5 levels and use no aliases) and far below what exhausts the stack, the
/// memory or the patience of a nightly host that re-reads its config at every firing.
/// </summary>
public sealed record YamlLimits
{
    /// <summary>The defaults every config file and <c>--set</c> value is read with.</summary>
    public static YamlLimits Default { get; } = new();

    /// <summary>Largest config text, in UTF-8 bytes.</summary>
    public int MaxBytes { get; init; } = 1 << 20;

    /// <summary>
    /// Deepest nesting of mappings and sequences (the root mapping is depth 1). Every later walk of the tree
    /// recurses once per level, so this bound is what keeps them off the end of the stack.
    /// </summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>
    /// Most nodes the document stands for with aliases expanded (each alias counts the nodes it names). The binder,
    /// the copy for `run compare` and the snapshot written to a run's manifest walk the expanded tree, so this bound
    /// keeps every one of them linear in it, however the aliases are stacked.
    /// </summary>
    public long MaxExpandedNodes { get; init; } = 100_000;
}
