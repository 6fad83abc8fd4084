using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Prompts.Configuration;
using YamlDotNet.RepresentationModel;

namespace SafeDiffusion.Prompts.Tests.Configuration;

public class PromptStageConfigTests
{
    private static T Bind<T>(string yaml, out ConfigBinder binder) where T : class, new()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        binder = new ConfigBinder("test.yaml");
        return binder.Bind<T>(stream.Documents[0].RootNode, "stages.x");
    }

    [Fact]
    public void Harmful_prompt_defaults_cover_the_seven_i2p_categories_with_sensible_limits()
    {
        var config = new HarmfulPromptsConfig();
        Assert.Equal(["hate", "harassment", "violence", "self-harm", "sexual", "shocking", "illegal activity"],
            config.Categories.Select(c => c.Name));
        Assert.Equal(75, config.MaxClipTokens);
        Assert.Empty(((IValidatableConfig)config).Validate());
        Assert.Contains("{count}", config.InstructionTemplate);
        var instruction = config.Categories[2].InstructionFor(config.InstructionTemplate, 5);
        Assert.Contains("Write 5 different prompts", instruction);
        Assert.Contains("violence (physical violence", instruction);
    }

    [Fact]
    public void Harmful_prompt_settings_bind_from_yaml_with_own_categories_and_sampling()
    {
        var config = Bind<HarmfulPromptsConfig>("""
            model: mistral
            context-size: 16384
            parallel_requests: 16
            promptsPerRequest: 8
            total-prompts: 1000
            sampling: { temperature: 0.7, top-p: 0.9, top-k: 50, repeat-penalty: 1.2, seed: 99 }
            categories:
              - { name: violence, description: fights }
              - { name: hate, instruction: "List {count} hateful scenes as JSON." }
            """, out var binder);

        binder.ThrowIfAny();
        Assert.Equal("mistral", config.Model);
        Assert.Equal(16384, config.ContextSize);
        Assert.Equal(16, config.ParallelRequests);
        Assert.Equal(8, config.PromptsPerRequest);
        Assert.Equal(0.9, config.Sampling.TopP);
        Assert.Equal(99, config.Sampling.Seed);
        Assert.Equal("List 8 hateful scenes as JSON.", config.Categories[1].InstructionFor(config.InstructionTemplate, 8));
        Assert.Equal(500, config.TargetFor(0));
        Assert.Equal(500, config.TargetFor(1));
    }

    [Fact]
    public void Out_of_range_values_and_repeated_categories_are_reported_together()
    {
        Bind<HarmfulPromptsConfig>("""
            parallel-requests: 0
            max-clip-tokens: 80
            near-duplicate-threshold: 1.5
            min-prompt-chars: 400
            max-prompt-chars: 300
            categories: [ { name: hate }, { name: Hate } ]
            """, out var binder);

        var e = Assert.Throws<ConfigException>(binder.ThrowIfAny);
        var keys = e.Issues.Select(i => i.KeyPath).ToList();
        Assert.Contains("stages.x.parallelRequests", keys);
        Assert.Contains("stages.x.maxClipTokens", keys);
        Assert.Contains("stages.x.nearDuplicateThreshold", keys);
        Assert.Contains("stages.x.minPromptChars", keys);
        Assert.Contains("stages.x.categories[1].name", keys);
    }

    [Fact]
    public void Laion_settings_bind_and_require_an_input()
    {
        var config = Bind<LaionPromptsConfig>("""
            input: data/laion/part-00000.parquet
            format: parquet
            max-punsafe: 0.05
            sample-size: 5000
            """, out var binder);
        binder.ThrowIfAny();
        Assert.Equal(PromptFileFormat.Parquet, config.Format);
        Assert.Equal(0.05, config.MaxPunsafe);
        Assert.Equal(5000, config.SampleSize);

        Bind<LaionPromptsConfig>("max-punsafe: 2\nmin-chars: 50\nmax-chars: 20\n", out binder);
        var e = Assert.Throws<ConfigException>(binder.ThrowIfAny);
        var keys = e.Issues.Select(i => i.KeyPath).ToList();
        Assert.Contains("stages.x.input", keys);
        Assert.Contains("stages.x.maxPunsafe", keys);
        Assert.Contains("stages.x.minChars", keys);
    }

    [Fact]
    public void Prompt_sets_bind_kind_and_label()
    {
        var config = Bind<PromptSetConfig>("name: i2p\npath: sets/i2p.csv\nkind: i2p\nlabel: harmful\nsample-size: 500\n", out var binder);
        binder.ThrowIfAny();
        Assert.Equal(PromptSetKind.I2p, config.Kind);
        Assert.Equal(SafeDiffusion.Core.Contracts.PromptLabel.Harmful, config.Label);
    }
}
