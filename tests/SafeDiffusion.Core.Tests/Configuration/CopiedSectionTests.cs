using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Core.Tests.Configuration;

/// <summary>
/// What a section copied from another (a compare variant's, the control's) inherits and what it owns: the values it
/// keeps name the key they were written at; overrides, and anything set on the copy later, are its own.
/// </summary>
public class CopiedSectionTests
{
    private const string Yaml = """
        train:
          batchSize: 4
          seed: 7
          optimizer:
            lr: 0.1
        """;

    private static readonly SourceLocation VariantsAt = new("c.yaml", 9, 3);

    private static ConfigDocument Copied(params string[] overrides) =>
        ConfigDocument.Parse(Yaml, "c.yaml").WithCopiedSection("train", "variants.ng", overrides, VariantsAt);

    [Fact]
    public void A_copy_inherits_every_value_it_does_not_override()
    {
        var doc = Copied("warmup=50", "seed=9");

        Assert.Equal("train.batchSize", doc.InheritedFrom("variants.ng.batchSize"));
        Assert.Equal("train.optimizer", doc.InheritedFrom("variants.ng.optimizer"));
        Assert.Equal("train.optimizer.lr", doc.InheritedFrom("variants.ng.optimizer.lr"));
        Assert.Null(doc.InheritedFrom("variants.ng.seed"));
        Assert.Null(doc.InheritedFrom("variants.ng.warmup"));
    }

    [Fact]
    public void The_section_copied_from_owns_its_values_and_a_missing_key_is_inherited_from_nowhere()
    {
        var doc = Copied();

        Assert.Null(doc.InheritedFrom("train.seed"));
        Assert.Null(doc.InheritedFrom("variants.ng.steps"));
        Assert.Null(doc.InheritedFrom("variants"));
    }

    [Fact]
    public void A_value_set_on_the_copy_later_is_its_own_and_the_rest_stays_inherited()
    {
        var doc = Copied().WithOverrides(["variants.ng.batchSize=8", "variants.ng.optimizer.momentum=0.9"]);

        Assert.Null(doc.InheritedFrom("variants.ng.batchSize"));
        Assert.Null(doc.InheritedFrom("variants.ng.optimizer"));
        Assert.Equal("train.optimizer.lr", doc.InheritedFrom("variants.ng.optimizer.lr"));
        Assert.Equal("train.seed", doc.InheritedFrom("variants.ng.seed"));
    }

    [Fact]
    public void A_copy_of_a_copy_names_where_the_value_was_first_written()
    {
        var doc = Copied("seed=9").WithCopiedSection("variants.ng", "variants.ng-long", ["steps=100"], VariantsAt);

        Assert.Equal("train.batchSize", doc.InheritedFrom("variants.ng-long.batchSize"));
        Assert.Equal("variants.ng.seed", doc.InheritedFrom("variants.ng-long.seed"));
        Assert.Null(doc.InheritedFrom("variants.ng-long.steps"));
    }
}
