namespace SafeDiffusion.Core.Runs;

/// <summary>
/// A run folder as found in the runs folder: its name (the run id, by construction) and the manifest inside.
/// Anything that deletes or moves runs takes the id from <see cref="FolderId"/>: a manifest is data that a copy or
/// a hand edit can make name another run, or a path outside the runs folder.
/// </summary>
public sealed record StoredRun(string FolderId, RunManifest Manifest)
{
    /// <summary>Whether the manifest names the folder it is in.</summary>
    public bool IdsAgree => string.Equals(FolderId, Manifest.RunId, StringComparison.Ordinal);
}
