using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// Turns a <see cref="ModelReference"/> into a path on disk. Plain paths resolve as they are; schemes such as
/// <c>tiny:</c> are served by registered resolvers (the tiny world builds and caches its models on first use).
/// </summary>
public sealed class ModelCatalog
{
    private readonly IReadOnlyDictionary<string, ModelReference> _models;
    private readonly IReadOnlyList<IModelResolver> _resolvers;
    private readonly string _baseDirectory;

    public ModelCatalog(IReadOnlyDictionary<string, ModelReference> models, IEnumerable<IModelResolver> resolvers, string baseDirectory)
    {
        _models = models;
        _resolvers = resolvers.ToList();
        _baseDirectory = baseDirectory;
    }

    public IReadOnlyDictionary<string, ModelReference> References => _models;

    public ModelReference Get(string name) => _models.TryGetValue(name, out var m)
        ? m
        : throw new UsageException($"No model named '{name}' under `models:` in the config. Known: {string.Join(", ", _models.Keys)}.");

    /// <summary>The local path of a named model, building or fetching it through a resolver when needed.</summary>
    public async Task<string> ResolveAsync(string name, IProgressSink progress, CancellationToken ct)
    {
        var reference = Get(name);
        return await ResolvePathAsync(reference.Path, $"models.{name}.path", progress, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Any path a config gives (a model, a caption file): <c>scheme:name</c> through the resolver that serves the
    /// scheme, <c>~/</c> from the home folder, relative paths from the base directory.
    /// </summary>
    /// <param name="field">The config key the path came from, for the error message.</param>
    public async Task<string> ResolvePathAsync(string reference, string field, IProgressSink progress, CancellationToken ct)
    {
        var resolver = _resolvers.FirstOrDefault(r => r.CanResolve(reference));
        if (resolver is not null) return await resolver.ResolveAsync(reference, progress, ct).ConfigureAwait(false);
        var path = reference.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), reference[2..])
            : Path.GetFullPath(Path.Combine(_baseDirectory, reference));
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new InputDataException(path, "does not exist.", field,
                reference.Contains(':') && !Path.IsPathRooted(reference)
                    ? $"No resolver serves '{reference.Split(':')[0]}:' references here."
                    : "Point it at a downloaded model folder or file (see README: Bring real models).");
        return path;
    }
}

public interface IModelResolver
{
    bool CanResolve(string reference);
    Task<string> ResolveAsync(string reference, IProgressSink progress, CancellationToken ct);
}
