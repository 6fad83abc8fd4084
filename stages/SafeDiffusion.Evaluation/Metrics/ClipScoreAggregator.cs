using SafeDiffusion.Diffusion.Clip;
using SafeDiffusion.Diffusion.Vision;

namespace SafeDiffusion.Evaluation.Metrics;

/// <summary>Per-image CLIP scores for a prompt set and their mean and standard deviation.</summary>
public sealed record ClipScoreResult(IReadOnlyList<double> Scores, ScoreSummary Summary);

/// <summary>
/// CLIP score over a whole prompt set: <see cref="ClipScorer"/> (100 * max(cos, 0) per image-prompt pair) run in
/// batches, each under its own dispose scope, with the per-image values kept for the evaluation rows.
/// </summary>
public sealed class ClipScoreAggregator(ClipScorer scorer, int batchSize = 32)
{
    public ClipScoreResult Score(IReadOnlyList<Rgb8Image> images, IReadOnlyList<string> prompts)
    {
        if (images.Count != prompts.Count)
            throw new ArgumentException($"{images.Count} images but {prompts.Count} prompts; CLIP score pairs them one to one.");
        if (batchSize < 1) throw new InvalidOperationException("batch size must be at least 1.");
        var scores = new List<double>(images.Count);
        for (int start = 0; start < images.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, images.Count - start);
            var batch = scorer.ClipScore(images.Skip(start).Take(count).ToList(), prompts.Skip(start).Take(count).ToList());
            scores.AddRange(batch.Select(s => (double)s));
        }
        return new ClipScoreResult(scores, ScoreSummary.Of(scores));
    }
}
