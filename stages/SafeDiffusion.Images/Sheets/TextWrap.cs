namespace SafeDiffusion.Images.Sheets;

/// <summary>Word wrapping for the bitmap font: printable ASCII only, at most N lines, the last one ending in "..." when cut.</summary>
public static class TextWrap
{
    public static IReadOnlyList<string> Lines(string text, int width, int maxLines)
    {
        if (width < 1 || maxLines < 1) return [];
        var clean = new string(text.ReplaceLineEndings(" ").Select(c => char.IsWhiteSpace(c) ? ' ' : BitmapFont5x7.Printable(c)).ToArray());
        var lines = new List<string>();
        var line = "";
        foreach (var word in clean.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = word;
            while (rest.Length > 0)
            {
                var candidate = line.Length == 0 ? rest : line + " " + rest;
                if (candidate.Length <= width)
                {
                    line = candidate;
                    rest = "";
                }
                else if (line.Length > 0)
                {
                    lines.Add(line);
                    line = "";
                }
                else
                {
                    lines.Add(rest[..width]);
                    rest = rest[width..];
                }
            }
        }
        if (line.Length > 0) lines.Add(line);
        if (lines.Count <= maxLines) return lines;
        var kept = lines.Take(maxLines).ToList();
        var last = kept[^1];
        kept[^1] = width <= 3 ? last[..Math.Min(width, last.Length)] : (last.Length <= width - 3 ? last : last[..(width - 3)]) + "...";
        return kept;
    }
}
