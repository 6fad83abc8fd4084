using System.ComponentModel.DataAnnotations;
using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Core.Tests.Configuration;

public class ConfigBinderTests
{
    public enum Flavor { Plain, LatentTransform, NoiseGuidance }

    public sealed record Sample : IValidatableConfig
    {
        [Range(1, 64)] public int BatchSize { get; init; } = 4;
        public double LearningRate { get; init; } = 1e-5;
        public Flavor Flavor { get; init; } = Flavor.Plain;
        public ByteSize Memory { get; init; } = ByteSize.FromGiB(1);
        public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(1);
        public IReadOnlyList<string> Categories { get; init; } = ["a"];
        public Nested Inner { get; init; } = new();
        public int Warmup { get; init; }
        public int Steps { get; init; } = 10;

        public IEnumerable<(string Key, string Message)> Validate()
        {
            if (Warmup > Steps) yield return ("warmup", $"is {Warmup} but steps is only {Steps}.");
        }
    }

    public sealed record Nested
    {
        public string Name { get; init; } = "x";
    }

    private static Sample Bind(string yaml)
    {
        var doc = ConfigDocument.Parse(yaml, "sample.yaml");
        var binder = new ConfigBinder(doc.SourceName);
        var result = binder.Bind<Sample>(doc.Root, "");
        binder.ThrowIfAny();
        return result;
    }

    [Fact]
    public void An_empty_key_gives_a_record_its_defaults_and_a_list_no_items()
    {
        var s = Bind("""
            inner:
            categories:
            """);
        Assert.Equal("x", s.Inner.Name);
        Assert.Empty(s.Categories);
    }

    [Fact]
    public void An_empty_model_entry_is_reported_as_missing_its_path_rather_than_crashing()
    {
        var doc = ConfigDocument.Parse("""
            models:
              base:
            """, "sample.yaml");
        var binder = new ConfigBinder(doc.SourceName);
        binder.Bind<PipelineConfig>(doc.Root, "");
        var e = Assert.Throws<ConfigException>(binder.ThrowIfAny);
        Assert.Equal("models.base.path", Assert.Single(e.Issues).KeyPath);
    }

    [Fact]
    public void Empty_text_where_text_is_required_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() => Bind("inner: { name: }"));
        Assert.Equal("inner.name", Assert.Single(e.Issues).KeyPath);
    }

    [Fact]
    public void Missing_keys_keep_their_defaults_and_given_keys_are_honoured_in_any_case_style()
    {
        var s = Bind("""
            batch-size: 8
            learning_rate: 2.5e-4
            flavor: latent-transform
            memory: 512MiB
            timeout: 90s
            categories: [hate, violence]
            inner: { name: y }
            """);
        Assert.Equal(8, s.BatchSize);
        Assert.Equal(2.5e-4, s.LearningRate);
        Assert.Equal(Flavor.LatentTransform, s.Flavor);
        Assert.Equal(512L << 20, s.Memory.Bytes);
        Assert.Equal(TimeSpan.FromSeconds(90), s.Timeout);
        Assert.Equal(["hate", "violence"], s.Categories);
        Assert.Equal("y", s.Inner.Name);
        Assert.Equal(10, s.Steps);
    }

    [Fact]
    public void An_unknown_key_names_file_line_and_the_closest_allowed_key()
    {
        var e = Assert.Throws<ConfigException>(() => Bind("steps: 3\nbatchSzie: 2\n"));
        var issue = Assert.Single(e.Issues);
        Assert.Equal(2, issue.Location.Line);
        Assert.Equal("sample.yaml", issue.Location.File);
        Assert.Contains("Did you mean 'batchSize'", issue.Message);
        Assert.Contains("sample.yaml:2:1", e.Message);
    }

    [Fact]
    public void Every_problem_is_reported_in_one_pass_with_what_is_allowed()
    {
        var e = Assert.Throws<ConfigException>(() => Bind("""
            batchSize: 100
            flavor: fancy
            learningRate: fast
            memory: lots
            """));
        Assert.Equal(4, e.Issues.Count);
        Assert.Contains(e.Issues, i => i.KeyPath == "batchSize" && i.Message.Contains("1 to 64") && i.Location.Line == 1);
        Assert.Contains(e.Issues, i => i.KeyPath == "flavor" && i.Message.Contains("latent-transform") && i.Location.Line == 2);
        Assert.Contains(e.Issues, i => i.KeyPath == "learningRate" && i.Message.Contains("not a number"));
        Assert.Contains(e.Issues, i => i.KeyPath == "memory" && i.Message.Contains("8GiB"));
    }

    [Fact]
    public void Relations_between_values_are_checked_and_point_at_the_key()
    {
        var e = Assert.Throws<ConfigException>(() => Bind("steps: 5\nwarmup: 9\n"));
        var issue = Assert.Single(e.Issues);
        Assert.Equal("warmup", issue.KeyPath);
        Assert.Equal(2, issue.Location.Line);
    }

    [Fact]
    public void A_value_that_cannot_be_read_is_one_error_not_also_a_range_error_for_its_placeholder()
    {
        var e = Assert.Throws<ConfigException>(() => Bind("batchSize: abc\n"));

        var issue = Assert.Single(e.Issues);
        Assert.Equal("batchSize", issue.KeyPath);
        Assert.Contains("'abc'", issue.Message);
    }

    [Fact]
    public void A_yaml_syntax_error_reports_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigDocument.Parse("a: 1\nb: [1, 2\nc: 3\n", "broken.yaml"));
        Assert.Equal("broken.yaml", e.Issues[0].Location.File);
        Assert.True(e.Issues[0].Location.Line >= 2);
    }

    [Fact]
    public void Overrides_replace_nested_values_and_create_missing_sections()
    {
        var doc = ConfigDocument.Parse("inner:\n  name: a\nsteps: 3\n", "o.yaml")
            .WithOverrides(["inner.name=b", "steps=7", "categories=[x, y]"]);
        var s = new ConfigBinder("o.yaml").Bind<Sample>(doc.Root, "");
        Assert.Equal("b", s.Inner.Name);
        Assert.Equal(7, s.Steps);
        Assert.Equal(["x", "y"], s.Categories);
    }

    [Theory]
    [InlineData("")]
    [InlineData("steps=7")]
    [InlineData("steps=7;inner.name=b")]
    public void An_error_in_the_file_points_at_its_line_in_the_file_with_or_without_overrides(string overrides)
    {
        // Comments and flow mappings are what a re-serialised copy loses or reflows, shifting every later line.
        const string yaml = "# a config\n# with comments\ninner: { name: a }\n\n# the batch\nbatchSize: 500\nsteps: 3\n";
        var doc = ConfigDocument.Parse(yaml, "c.yaml").WithOverrides(overrides.Split(';', StringSplitOptions.RemoveEmptyEntries));

        var e = Assert.Throws<ConfigException>(() => { var b = new ConfigBinder(doc); b.Bind<Sample>(doc.Root, ""); b.ThrowIfAny(); });

        var issue = Assert.Single(e.Issues);
        Assert.Equal("batchSize", issue.KeyPath);
        Assert.Equal(new SourceLocation("c.yaml", 6, 12), issue.Location);
    }

    [Theory]
    [InlineData("batchSize=500", "batchSize")]
    [InlineData("inner.name=[1, 2]", "inner.name")]
    [InlineData("categories=[a, {b: 1}]", "categories[1]")]
    public void A_bad_value_given_by_set_is_reported_at_the_set_not_at_a_line_of_the_file(string assignment, string keyPath)
    {
        var doc = ConfigDocument.Parse("# a config\nsteps: 3\n", "c.yaml").WithOverrides(["steps=4", assignment]);

        var e = Assert.Throws<ConfigException>(() => { var b = new ConfigBinder(doc); b.Bind<Sample>(doc.Root, ""); b.ThrowIfAny(); });

        var issue = Assert.Single(e.Issues);
        Assert.Equal(keyPath, issue.KeyPath);
        Assert.Equal($"--set {assignment}", issue.Location.ToString());
        Assert.StartsWith($"Configuration error: --set {assignment}: {keyPath}: ", e.Message);
    }

    [Fact]
    public void A_copied_section_is_located_at_the_lines_of_the_section_it_copies_and_its_overrides_where_they_were_given()
    {
        const string yaml = "# shared settings\ntrain:\n  # too many\n  batchSize: 500\n";
        var variantsAt = new SourceLocation("c.yaml", 9, 3);
        var doc = ConfigDocument.Parse(yaml, "c.yaml").WithCopiedSection("train", "variants.ng", ["warmup=50"], variantsAt);

        var binder = new ConfigBinder(doc);
        binder.Bind<Sample>(doc.Find("variants.ng"), "variants.ng");
        binder.Bind<Sample>(doc.Find("train"), "train");

        Assert.Equal(
            [("variants.ng.batchSize", new SourceLocation("c.yaml", 4, 14)), ("variants.ng.warmup", variantsAt), ("train.batchSize", new SourceLocation("c.yaml", 4, 14))],
            binder.Issues.Select(i => (i.KeyPath, i.Location)));
    }

    [Fact]
    public void Overrides_applied_one_after_another_all_hold()
    {
        var doc = ConfigDocument.Parse("# c\nsteps: 3\n", "o.yaml").WithOverrides(["steps=7"]).WithOverrides(["inner.name=b"]);

        var s = new ConfigBinder("o.yaml").Bind<Sample>(doc.Root, "");

        Assert.Equal(7, s.Steps);
        Assert.Equal("b", s.Inner.Name);
    }

    [Fact]
    public void Overrides_keep_the_files_anchors_and_aliases()
    {
        const string yaml = "shared: &defaults\n  name: a\ninner: *defaults\nsteps: 3\n";
        var doc = ConfigDocument.Parse(yaml, "a.yaml").WithOverrides(["steps=7"]);

        Assert.Equal("shared: &defaults\n  name: a\ninner: *defaults\nsteps: 7\n", doc.ToYaml().Replace("\r\n", "\n"));
    }

    [Fact]
    public void An_override_without_equals_sign_is_a_usage_error()
    {
        var doc = ConfigDocument.Parse("steps: 3\n", "o.yaml");
        var e = Assert.Throws<UsageException>(() => doc.WithOverrides(["steps"]));
        Assert.Contains("key.path=value", e.Message);
    }

    [Fact]
    public void Environment_variables_expand_with_defaults()
    {
        Environment.SetEnvironmentVariable("SDP_TEST_NAME", "from-env");
        var s = Bind("inner: { name: '${SDP_TEST_NAME}' }\ncategories: ['${SDP_UNSET_VARIABLE:-fallback}']\n");
        Assert.Equal("from-env", s.Inner.Name);
        Assert.Equal(["fallback"], s.Categories);
    }

    [Fact]
    public void The_root_config_rejects_bad_device_ids_and_duplicates()
    {
        var doc = ConfigDocument.Parse("devices:\n  - id: gpu0\n  - id: cpu\n  - id: cpu\n", "d.yaml");
        var binder = new ConfigBinder(doc.SourceName);
        binder.Bind<PipelineConfig>(doc.Root, "");
        Assert.Contains(binder.Issues, i => i.KeyPath == "devices[0].id" && i.Message.Contains("cuda:N"));
        Assert.Contains(binder.Issues, i => i.KeyPath == "devices[2].id" && i.Message.Contains("twice"));
    }
}
