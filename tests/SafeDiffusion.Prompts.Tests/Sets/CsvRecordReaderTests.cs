using SafeDiffusion.Core.Errors;
using SafeDiffusion.Prompts.Sets;

namespace SafeDiffusion.Prompts.Tests.Sets;

public class CsvRecordReaderTests
{
    private static List<IReadOnlyList<string>> ReadAll(string csv)
    {
        var reader = new CsvRecordReader(new StringReader(csv), "test.csv");
        var records = new List<IReadOnlyList<string>>();
        while (reader.Read() is { } r) records.Add(r);
        return records;
    }

    [Fact]
    public void Quoted_fields_hold_commas_doubled_quotes_and_line_breaks()
    {
        var records = ReadAll("prompt,categories\r\n\"a cat, a dog\",\"hate,violence\"\r\n\"he said \"\"run\"\"\",x\r\n\"line one\nline two\",\"\"\r\n");
        Assert.Equal(4, records.Count);
        Assert.Equal(new[] { "a cat, a dog", "hate,violence" }, records[1]);
        Assert.Equal(new[] { "he said \"run\"", "x" }, records[2]);
        Assert.Equal(new[] { "line one\nline two", "" }, records[3]);
    }

    [Fact]
    public void Records_end_at_lf_crlf_or_cr_and_the_last_may_have_no_line_break()
    {
        var records = ReadAll("a,b\nc,d\r\ne,f\rg,h");
        Assert.Equal(new[] { new[] { "a", "b" }, new[] { "c", "d" }, new[] { "e", "f" }, new[] { "g", "h" } }, records);
    }

    [Fact]
    public void Empty_fields_are_kept_and_blank_lines_skipped()
    {
        var records = ReadAll("a,,c\n\n,\n");
        Assert.Equal(new[] { new[] { "a", "", "c" }, new[] { "", "" } }, records);
    }

    [Fact]
    public void Record_line_numbers_count_line_breaks_inside_quotes()
    {
        var reader = new CsvRecordReader(new StringReader("h\n\"x\ny\"\nz\n"), "t.csv");
        reader.Read();
        reader.Read();
        Assert.Equal(2, reader.RecordLine);
        reader.Read();
        Assert.Equal(4, reader.RecordLine);
    }

    [Fact]
    public void A_quote_left_open_at_the_end_is_an_input_error_with_its_line()
    {
        var e = Assert.Throws<InputDataException>(() => ReadAll("h\nok\n\"never closed,\n"));
        Assert.Contains("line 3", e.Message);
        Assert.Equal("test.csv", e.FilePath);
    }
}
