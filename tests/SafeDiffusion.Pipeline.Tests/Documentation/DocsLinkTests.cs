using System.Text.RegularExpressions;
using SafeDiffusion.Pipeline.Tests.Support;

namespace SafeDiffusion.Pipeline.Tests.Documentation;

/// <summary>
/// The README is a front door and the pages under docs/ hold the rest: every relative link must lead to a file (and
/// a heading) that exists, so must every repository path and source file the text names, the README must stay short,
/// and every page under docs/ must be reachable from it.
/// </summary>
public sealed partial class DocsLinkTests
{
    private const int ReadmeLineLimit = 200;

    private static string Root => RepositoryFolders.Root;

    /// <summary>README.md and every markdown page under docs/, as paths relative to the repository root.</summary>
    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        foreach (var page in DocumentationPages()) data.Add(page);
        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_names_a_file_that_exists(string page)
    {
        var path = Path.Combine(Root, page);
        var broken = MarkdownLinks.Find(File.ReadAllText(path))
            .Where(link => !link.IsExternal && link.FilePart.Length > 0)
            .Where(link => !File.Exists(Resolve(path, link)) && !Directory.Exists(Resolve(path, link)))
            .Select(link => $"{page}:{link.Line}: ({link.Target}) names {Path.GetRelativePath(Root, Resolve(path, link))}, which does not exist")
            .ToList();

        Assert.True(broken.Count == 0, string.Join(Environment.NewLine, broken));
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_anchor_in_a_relative_link_names_a_heading_of_its_file(string page)
    {
        var path = Path.Combine(Root, page);
        var broken = new List<string>();
        foreach (var link in MarkdownLinks.Find(File.ReadAllText(path)).Where(l => !l.IsExternal && l.Anchor is not null))
        {
            var target = link.FilePart.Length == 0 ? path : Resolve(path, link);
            if (!target.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !File.Exists(target)) continue;
            if (!MarkdownLinks.HeadingAnchors(File.ReadAllText(target)).Contains(link.Anchor!))
                broken.Add($"{page}:{link.Line}: ({link.Target}) names no heading of {Path.GetRelativePath(Root, target)}");
        }

        Assert.True(broken.Count == 0, string.Join(Environment.NewLine, broken));
    }

    /// <summary>
    /// Paths into the checkout written as text (<c>configs/tiny.yaml</c>, <c>stages/SafeDiffusion.Core</c>, in code
    /// spans and code blocks alike) and source files named by name or path tail (<c>Graphs/PipelineComposition.cs</c>)
    /// must exist, so moving or renaming one fails here until the docs follow. A path with a wildcard stands for
    /// several and is not checked.
    /// </summary>
    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_repository_path_and_source_file_named_in_the_text_exists(string page)
    {
        var sources = SourceFiles().ToList();
        var missing = new List<string>();
        var lines = File.ReadAllLines(Path.Combine(Root, page));
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (Match m in RepositoryPath().Matches(lines[i]))
            {
                var named = m.Value.TrimEnd('.', ',', ':', ';', ')').TrimEnd('/');
                if (named.Contains('*', StringComparison.Ordinal)) continue;
                var full = Path.Combine(Root, named);
                if (!File.Exists(full) && !Directory.Exists(full)) missing.Add($"{page}:{i + 1}: {named}");
            }
            foreach (Match m in SourceFileName().Matches(lines[i]))
                if (!sources.Any(s => s == m.Value || s.EndsWith("/" + m.Value, StringComparison.Ordinal)))
                    missing.Add($"{page}:{i + 1}: {m.Value}");
        }

        Assert.True(missing.Count == 0, "named but not in the checkout:" + Environment.NewLine + string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public void The_readme_stays_within_200_lines()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "README.md")).Length;

        Assert.True(lines <= ReadmeLineLimit,
            $"README.md has {lines} lines; it is the front door and stays within {ReadmeLineLimit}. Move detail into a page under docs/ and link it.");
    }

    [Fact]
    public void The_readme_links_every_page_under_docs()
    {
        var readme = Path.Combine(Root, "README.md");
        var linked = MarkdownLinks.Find(File.ReadAllText(readme))
            .Where(l => !l.IsExternal && l.FilePart.Length > 0)
            .Select(l => Path.GetFullPath(Resolve(readme, l)))
            .ToHashSet(StringComparer.Ordinal);

        var unlinked = Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md")
            .Where(p => !linked.Contains(Path.GetFullPath(p)))
            .Select(p => Path.GetRelativePath(Root, p))
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(unlinked.Count == 0, "README.md links none of: " + string.Join(", ", unlinked));
    }

    [Fact]
    public void The_docs_the_readme_promises_are_there()
    {
        string[] promised = ["tiny-world.md", "lab-notebook.md", "real-models.md", "operations.md", "known-issues.md"];

        var missing = promised.Where(name => !File.Exists(Path.Combine(Root, "docs", name))).ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Links_inside_code_are_text_and_links_outside_it_are_found()
    {
        const string markdown = """
            # Title

            See [the notebook](docs/lab-notebook.md#recipe-9) and ![a chart](img/chart.png "caption").
            Not a link: `[x](nowhere.md)`, nor [external](https://example.org/a.md).

            ```bash
            echo "[inside](fenced.md)"
            ```
            [after](after.md)
            """;

        var links = MarkdownLinks.Find(markdown);

        Assert.Equal(
            [new MarkdownLink(3, "docs/lab-notebook.md#recipe-9"), new MarkdownLink(3, "img/chart.png"),
             new MarkdownLink(4, "https://example.org/a.md"), new MarkdownLink(9, "after.md")],
            links);
        Assert.Equal("docs/lab-notebook.md", links[0].FilePart);
        Assert.Equal("recipe-9", links[0].Anchor);
        Assert.True(links[2].IsExternal);
    }

    [Fact]
    public void Heading_anchors_follow_githubs_slugs()
    {
        const string markdown = """
            # Known issues: libtorch quirks
            ## `pipeline serve`: a resident scheduler
            ## CPU convolutions and oneDNN's channel blocks
            ## Notes
            ## Notes
            ```
            # not a heading
            ```
            """;

        var anchors = MarkdownLinks.HeadingAnchors(markdown);

        Assert.Equal(
            new HashSet<string>
            {
                "known-issues-libtorch-quirks", "pipeline-serve-a-resident-scheduler",
                "cpu-convolutions-and-onednns-channel-blocks", "notes", "notes-1",
            },
            anchors);
    }

    // A path from the repository root into one of its top folders, not the tail of a longer path or a word.
    [GeneratedRegex(@"(?<![\w./-])(?:stages|tests|pipelines|configs|docs|data|\.ci)/[\w./@+*-]*")]
    private static partial Regex RepositoryPath();

    // A C# source or project file, alone or with the folders above it.
    [GeneratedRegex(@"(?<![\w./-])(?:[\w.@+-]+/)*[\w.@+-]+\.(?:cs|csproj)(?!\w)")]
    private static partial Regex SourceFileName();

    /// <summary>Every file under stages/, tests/ and pipelines/ but build output, as a path from the repository root with '/'.</summary>
    private static IEnumerable<string> SourceFiles()
    {
        var pending = new Stack<string>(new[] { "stages", "tests", "pipelines" }.Select(f => Path.Combine(Root, f)).Where(Directory.Exists));
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var file in Directory.EnumerateFiles(dir)) yield return Path.GetRelativePath(Root, file).Replace('\\', '/');
            foreach (var sub in Directory.EnumerateDirectories(dir))
                if (Path.GetFileName(sub) is not ("bin" or "obj")) pending.Push(sub);
        }
    }

    private static string Resolve(string page, MarkdownLink link) =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(link.FilePart)));

    private static IEnumerable<string> DocumentationPages()
    {
        yield return "README.md";
        var docs = Path.Combine(Root, "docs");
        if (!Directory.Exists(docs)) yield break;
        foreach (var page in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            yield return Path.GetRelativePath(Root, page);
    }
}
