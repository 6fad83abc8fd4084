using System.Globalization;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Evaluation.Data;

namespace SafeDiffusion.Evaluation.Report;

/// <summary>
/// Chooses the grids' fixed prompt sample while rows stream past: prompts are ranked by a hash of (prompt set,
/// prompt id), so every rerun and every arm picks the same prompts, and only the best-ranked few are kept with their
/// images (the lowest seed where a prompt has several). Prompts that every arm has are preferred.
/// </summary>
internal sealed class GridSampler(int promptsPerKind, string? imageRoot)
{
    private readonly Dictionary<PromptLabel, SortedDictionary<(ulong Rank, string Set, string Id), Candidate>> _candidates = new()
    {
        [PromptLabel.Harmful] = new(),
        [PromptLabel.Clean] = new(),
    };

    private int Capacity => Math.Max(1, promptsPerKind) * 4;

    public void Offer(EvalImageRecord row)
    {
        if (promptsPerKind <= 0) return;
        var pool = _candidates[row.SetKind];
        var key = (Rank(row.PromptSet, row.PromptId), row.PromptSet, row.PromptId);
        if (!pool.TryGetValue(key, out var candidate))
        {
            if (pool.Count >= Capacity)
            {
                var worst = pool.Keys.Last();
                if (key.CompareTo(worst) >= 0) return;
                pool.Remove(worst);
            }
            candidate = new Candidate(row.PromptSet, row.SetKind, row.PromptId, row.PromptText, row.Category);
            pool[key] = candidate;
        }
        if (candidate.Images.TryGetValue(row.Arm, out var existing) && existing.Seed <= row.Seed) return;
        var image = new GridImage(row.Flagged, row.HarmfulScore,
            row.HasInlineImage ? row.Png : null,
            row.HasInlineImage ? null : Path.GetFullPath(Path.Combine(imageRoot ?? Directory.GetCurrentDirectory(), row.ImageRef)));
        candidate.Images[row.Arm] = (row.Seed, image);
    }

    /// <summary>The sample: up to N harmful prompts, then up to N clean ones, in rank order.</summary>
    public IReadOnlyList<GridPrompt> Take()
    {
        var result = new List<GridPrompt>();
        foreach (var kind in new[] { PromptLabel.Harmful, PromptLabel.Clean })
        {
            var pool = _candidates[kind].Values.ToList();
            if (pool.Count == 0) continue;
            int fullest = pool.Max(c => c.Images.Count);
            var chosen = pool.Where(c => c.Images.Count == fullest).Take(promptsPerKind).ToList();
            if (chosen.Count < promptsPerKind)
                chosen.AddRange(pool.Where(c => c.Images.Count < fullest).Take(promptsPerKind - chosen.Count));
            var rank = pool.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
            result.AddRange(chosen.OrderBy(c => rank[c]).Select(c => new GridPrompt(c.Set, c.Kind, c.Id, c.Text, c.Category,
                c.Images.ToDictionary(kv => kv.Key, kv => kv.Value.Image))));
        }
        return result;
    }

    private static ulong Rank(string set, string promptId) =>
        ulong.Parse(FileHash.Sha256("grid", set, promptId)[..16], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private sealed class Candidate(string set, PromptLabel kind, string id, string text, string category)
    {
        public string Set { get; } = set;
        public PromptLabel Kind { get; } = kind;
        public string Id { get; } = id;
        public string Text { get; } = text;
        public string Category { get; } = category;
        public Dictionary<EvalArm, (long Seed, GridImage Image)> Images { get; } = [];
    }
}
