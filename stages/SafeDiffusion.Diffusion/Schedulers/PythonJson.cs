using System.Text;

namespace SafeDiffusion.Diffusion.Schedulers;

/// <summary>
/// Python's <c>json.dumps</c> writes non-finite floats as bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>
/// (diffusers saves <c>lambda_min_clipped: -Infinity</c>), which strict JSON readers reject. This quotes them so
/// they parse as named floating-point literals.
/// </summary>
public static class PythonJson
{
    private static readonly string[] Literals = ["-Infinity", "Infinity", "NaN"];

    public static string QuoteNonFiniteLiterals(string json)
    {
        var sb = new StringBuilder(json.Length + 16);
        bool inString = false;
        for (int i = 0; i < json.Length; i++)
        {
            char c = json[i];
            if (inString)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < json.Length) sb.Append(json[++i]);
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"')
            {
                inString = true;
                sb.Append(c);
                continue;
            }
            var literal = Literals.FirstOrDefault(l => string.CompareOrdinal(json, i, l, 0, l.Length) == 0);
            if (literal is not null)
            {
                sb.Append('"').Append(literal).Append('"');
                i += literal.Length - 1;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
