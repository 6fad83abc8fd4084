using System.Text;
using System.Text.Json;

namespace SafeDiffusion.Prompts.Writer;

/// <summary>
/// Follows an answer as its text streams in: notices when the JSON array is closed (so the request can stop
/// without waiting for the end-of-generation token), and keeps every string finished so far, so an answer cut
/// off at the token limit still yields its complete strings.
/// </summary>
public sealed class PromptArrayAnswer
{
    private enum State { BeforeArray, InArray, InString, Escape, Closed }

    private readonly StringBuilder _text = new();
    private readonly StringBuilder _current = new();
    private readonly List<string> _strings = [];
    private State _state = State.BeforeArray;

    public string Text => _text.ToString();

    /// <summary>True once the closing bracket has been seen.</summary>
    public bool IsComplete => _state == State.Closed;

    /// <summary>The strings whose closing quote has been seen.</summary>
    public IReadOnlyList<string> FinishedStrings => _strings;

    public void Append(string chunk)
    {
        _text.Append(chunk);
        foreach (var c in chunk)
        {
            switch (_state)
            {
                case State.BeforeArray when c == '[': _state = State.InArray; break;
                case State.InArray when c == '"': _state = State.InString; _current.Clear(); break;
                case State.InArray when c == ']': _state = State.Closed; break;
                case State.InString when c == '\\': _state = State.Escape; _current.Append(c); break;
                case State.InString when c == '"':
                    _strings.Add(Unescape(_current.ToString()));
                    _state = State.InArray;
                    break;
                case State.InString: _current.Append(c); break;
                case State.Escape: _current.Append(c); _state = State.InString; break;
            }
        }
    }

    /// <summary>
    /// The answer's strings: parsed as JSON when the array is complete, otherwise the finished strings.
    /// <paramref name="parsed"/> is false when the text was not a complete JSON array of strings.
    /// </summary>
    public IReadOnlyList<string> Strings(out bool parsed)
    {
        parsed = false;
        if (!IsComplete) return _strings;
        try
        {
            var values = JsonSerializer.Deserialize<string?[]>(_text.ToString().Trim());
            if (values is null) return _strings;
            parsed = true;
            return values.Select(v => v ?? "").ToList();
        }
        catch (JsonException)
        {
            return _strings;
        }
    }

    private static string Unescape(string raw)
    {
        if (!raw.Contains('\\')) return raw;
        try { return JsonSerializer.Deserialize<string>("\"" + raw + "\"") ?? raw; }
        catch (JsonException) { return raw; }
    }
}
