using System.Diagnostics;
using System.Text;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Core.Tests.Configuration;

/// <summary>Hostile config texts end in one clear error, quickly, instead of a stack overflow or minutes of CPU.</summary>
public class ConfigLimitsTests
{
    // Generous against a loaded CI machine; each case takes milliseconds when it stops at the first event past a limit.
    private static readonly TimeSpan Quickly = TimeSpan.FromSeconds(3);

    private static ConfigIssue FailsQuickly(Action action)
    {
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ConfigException>(action);
        Assert.True(clock.Elapsed < Quickly, $"took {clock.Elapsed}");
        return Assert.Single(e.Issues);
    }

    [Fact]
    public void A_flow_list_nested_200000_levels_is_refused_at_the_first_level_past_the_limit()
    {
        var text = "stages: " + new string('[', 200_000) + new string(']', 200_000) + "\n";
        var issue = FailsQuickly(() => ConfigDocument.Parse(text, "deep.yaml"));
        Assert.Equal("deep.yaml", issue.Location.File);
        Assert.Equal(1, issue.Location.Line);
        Assert.Contains("64", issue.Message);
    }

    [Fact]
    public void A_block_mapping_nested_past_the_limit_names_the_line_where_it_goes_too_deep()
    {
        // Key n sits in the mapping of depth n (the root mapping is depth 1), which opens on line n: line 65 opens depth 65.
        var text = new StringBuilder();
        for (int i = 1; i <= 100; i++) text.Append(' ', i - 1).Append('k').Append(i).Append(":\n");
        var issue = FailsQuickly(() => ConfigDocument.Parse(text.ToString(), "deep.yaml"));
        Assert.Equal(65, issue.Location.Line);
    }

    [Fact]
    public void A_config_at_depth_sixty_four_still_parses()
    {
        var text = "a: " + new string('[', 63) + "1" + new string(']', 63) + "\n";
        var document = ConfigDocument.Parse(text, "ok.yaml");
        Assert.NotNull(document.Find("a"));
    }

    [Fact]
    public void A_nine_to_the_seventh_alias_bomb_under_a_stage_section_is_refused_on_the_line_that_passes_the_limit()
    {
        // Expanded sizes: a is 10 nodes, each next anchor 9 copies of the last plus its list: 91, 820, 7381, 66430,
        // 597871. Everything up to e stays under 100,000 nodes; the aliases on f's line (line 8) pass it.
        var text = """
            stages:
              images:
                a: &a [x, x, x, x, x, x, x, x, x]
                b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
                c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
                d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
                e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
                f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
                g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
            """;
        var issue = FailsQuickly(() => ConfigDocument.Parse(text, "bomb.yaml"));
        Assert.Equal("bomb.yaml", issue.Location.File);
        Assert.Equal(8, issue.Location.Line);
        Assert.Contains("100000", issue.Message);
    }

    [Fact]
    public void A_short_alias_bomb_given_with_set_is_refused_and_named()
    {
        var levels = new StringBuilder("[&a [x,x,x,x,x,x,x,x,x]");
        for (char anchor = 'b'; anchor <= 'h'; anchor++)
            levels.Append($", &{anchor} [{string.Join(", ", Enumerable.Repeat($"*{(char)(anchor - 1)}", 9))}]");
        var assignment = "stages.images.x=" + levels + "]";
        Assert.InRange(assignment.Length, 300, 400);
        var document = ConfigDocument.Parse("stages: {}\n", "base.yaml");

        var issue = FailsQuickly(() => document.WithOverrides([assignment]));
        Assert.Contains("--set", issue.Location.File);
        Assert.Contains("100000", issue.Message);
    }

    [Fact]
    public void A_set_key_path_deeper_than_the_limit_is_refused()
    {
        var document = ConfigDocument.Parse("stages: {}\n", "base.yaml");
        var assignment = string.Join(".", Enumerable.Repeat("k", 100_000)) + "=1";
        var issue = FailsQuickly(() => document.WithOverrides([assignment]));
        Assert.Contains("--set", issue.Location.File);
    }

    [Fact]
    public void A_config_file_larger_than_the_limit_is_refused_with_its_path_before_it_is_parsed()
    {
        using var dir = new TempDirectory();
        var path = dir.File("huge.yaml");
        // 2 MiB of valid YAML: one short line per key, so the line where 1 MiB is crossed is countable here.
        var line = "key0000000: value\n"; // 18 bytes
        File.WriteAllText(path, string.Concat(Enumerable.Repeat(line, (2 << 20) / line.Length)));

        var issue = FailsQuickly(() => ConfigDocument.Load(path));
        Assert.Equal(path, issue.Location.File);
        Assert.Equal((1 << 20) / line.Length + 1, issue.Location.Line);
        Assert.Contains((1 << 20).ToString(), issue.Message);
    }

    [Fact]
    public void Aliases_within_the_limit_are_expanded_as_before()
    {
        var document = ConfigDocument.Parse("""
            base: &base { batchSize: 2, steps: 10 }
            other: *base
            """, "ok.yaml");
        Assert.Equal("10", document.Find("other.steps")?.ToString());
    }
}
