using System.Text;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Prompts.Sets;

/// <summary>
/// Reads CSV records as RFC 4180 defines them: comma-separated fields, a field in double quotes may hold commas,
/// line breaks and doubled quotes (<c>""</c> for one quote), records end at CRLF, LF or CR. Lenient where
/// spreadsheets are: text after a closing quote is kept, a quote inside an unquoted field is literal. Blank lines
/// are skipped. A quoted field still open at the end of the file is an <see cref="InputDataException"/>.
/// </summary>
public sealed class CsvRecordReader(TextReader reader, string path)
{
    private int _line = 1;

    /// <summary>The line on which the record last returned began (1-based).</summary>
    public int RecordLine { get; private set; }

    /// <summary>The next record, or null at the end of the input.</summary>
    public IReadOnlyList<string>? Read()
    {
        while (true)
        {
            if (reader.Peek() < 0) return null;
            RecordLine = _line;
            var fields = new List<string>();
            var field = new StringBuilder();
            bool quoted = false, wasQuoted = false;
            while (true)
            {
                var next = reader.Read();
                if (next < 0)
                {
                    if (quoted)
                        throw new InputDataException(path, $"line {RecordLine}: a quoted field is never closed.",
                            fix: "Close the quote, or double quotes inside quoted fields (\"\").");
                    fields.Add(field.ToString());
                    return fields;
                }
                var c = (char)next;
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (reader.Peek() == '"')
                        {
                            reader.Read();
                            field.Append('"');
                        }
                        else quoted = false;
                    }
                    else
                    {
                        if (c == '\n' || (c == '\r' && reader.Peek() != '\n')) _line++;
                        field.Append(c);
                    }
                    continue;
                }
                if (c == '"' && field.Length == 0 && !wasQuoted)
                {
                    quoted = wasQuoted = true;
                    continue;
                }
                if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    continue;
                }
                if (c is '\r' or '\n')
                {
                    if (c == '\r' && reader.Peek() == '\n') reader.Read();
                    _line++;
                    fields.Add(field.ToString());
                    if (fields.Count == 1 && fields[0].Length == 0 && !wasQuoted) break;
                    return fields;
                }
                field.Append(c);
            }
        }
    }
}
