using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Pretraining;
using SafeDiffusion.TinyWorld.World;

namespace SafeDiffusion.TinyWorld.Tests.Pretraining;

public sealed class CleanAdherenceBreakdownTests
{
    private static SceneDescription Asked(params (ShapeColor Color, ShapeKind Shape)[] objects) =>
        SceneDescription.Create(Background.Grass, harmful: false, objects.Select(o => new ObjectGroup(o.Color, o.Shape, 1)));

    /// <summary>What the classifier "found": these shapes and colours at probability 0.9, the rest at 0.1.</summary>
    private static ImageScore Found(ShapeKind[] shapes, ShapeColor[] colors) => new(
        0.1, false,
        Enum.GetValues<ShapeKind>().ToDictionary(s => s, s => shapes.Contains(s) ? 0.9 : 0.1),
        Enum.GetValues<ShapeColor>().ToDictionary(c => c, c => colors.Contains(c) ? 0.9 : 0.1),
        Enum.GetValues<Background>().ToDictionary(b => b, b => b == Background.Grass ? 0.9 : 0.1));

    [Fact]
    public void Counts_each_object_count_and_each_missing_shape()
    {
        var asked = new[]
        {
            Asked((ShapeColor.Red, ShapeKind.Circle)),
            Asked((ShapeColor.Blue, ShapeKind.Star)),
            Asked((ShapeColor.Red, ShapeKind.Square), (ShapeColor.Green, ShapeKind.Triangle)),
            Asked((ShapeColor.Yellow, ShapeKind.Star), (ShapeColor.Purple, ShapeKind.Circle), (ShapeColor.Blue, ShapeKind.Square)),
        };
        var found = new[]
        {
            Found([ShapeKind.Circle], [ShapeColor.Red]),
            // The star drawn as a blob: read as a circle.
            Found([ShapeKind.Circle], [ShapeColor.Blue]),
            Found([ShapeKind.Square, ShapeKind.Triangle], [ShapeColor.Red, ShapeColor.Green]),
            Found([ShapeKind.Circle, ShapeKind.Square], [ShapeColor.Yellow, ShapeColor.Purple, ShapeColor.Blue]),
        };

        var breakdown = CleanAdherenceBreakdown.Of(asked, found);

        Assert.Equal([new AdherenceByObjectCount(1, 2, 1), new AdherenceByObjectCount(2, 1, 1), new AdherenceByObjectCount(3, 1, 0)], breakdown.ByObjectCount);
        Assert.Equal(
            [new ShapeMisses(ShapeKind.Circle, 2, 0), new ShapeMisses(ShapeKind.Square, 2, 0), new ShapeMisses(ShapeKind.Triangle, 1, 0), new ShapeMisses(ShapeKind.Star, 2, 2)],
            breakdown.Shapes);
        Assert.Equal("1 object 50% (1/2), 2 objects 100% (1/1), 3 objects 0% (0/1); missed: circle 0 of 2, square 0 of 2, triangle 0 of 1, star 2 of 2",
            breakdown.ToString().Replace(" %", "%", StringComparison.Ordinal));
    }

    [Fact]
    public void Refuses_scores_that_do_not_pair_with_the_prompts()
    {
        Assert.Throws<ArgumentException>(() => CleanAdherenceBreakdown.Of([Asked((ShapeColor.Red, ShapeKind.Circle))], []));
    }

    [Fact]
    public void The_breakdowns_travel_in_the_gate_file()
    {
        using var dir = new SafeDiffusion.Testing.TempDirectory("gate-file");
        var path = dir.File("quality_gate.json");
        var asked = new[] { Asked((ShapeColor.Blue, ShapeKind.Star)) };
        var generated = CleanAdherenceBreakdown.Of(asked, [Found([ShapeKind.Circle], [ShapeColor.Blue])]);
        var throughVae = CleanAdherenceBreakdown.Of(asked, [Found([ShapeKind.Star], [ShapeColor.Blue])]);
        new QualityGateResult(0, 0.9, false, new QualityGateThresholds(0.8, 0.8), 1, 99, 20, 5, "DPMSolverMultistepScheduler",
            0, 0, 1, 1, "classifier", 1, generated, 1, throughVae).Write(path);

        var read = QualityGateResult.Read(path);

        Assert.Equal(generated.ByObjectCount, read.CleanBreakdown!.ByObjectCount);
        Assert.Equal(generated.Shapes, read.CleanBreakdown.Shapes);
        Assert.Equal(1, read.ReconstructedCleanAdherence);
        Assert.Equal([new AdherenceByObjectCount(1, 1, 1)], read.ReconstructedBreakdown!.ByObjectCount);
    }

    [Fact]
    public void A_gate_file_written_before_the_breakdown_existed_still_reads()
    {
        using var dir = new SafeDiffusion.Testing.TempDirectory("gate-file");
        var path = dir.File("quality_gate.json");
        var gate = new QualityGateResult(0.5, 0.9, false, new QualityGateThresholds(0.8, 0.8), 64, 99, 20, 5, "DPMSolverMultistepScheduler",
            0.05, 0.6, 0.95, 1, "classifier", 8);
        gate.Write(path);
        Assert.DoesNotContain("cleanBreakdown\": {", File.ReadAllText(path), StringComparison.Ordinal);

        var read = QualityGateResult.Read(path);

        Assert.Null(read.CleanBreakdown);
        Assert.Null(read.ReconstructedCleanAdherence);
        Assert.Null(read.ReconstructedBreakdown);
        Assert.Equal(gate.Summary, read.Summary);
    }

    [Fact]
    public void A_gate_missed_by_one_prompt_does_not_read_as_its_threshold()
    {
        var gate = new QualityGateResult(51 / 64.0, 1.0, false, new QualityGateThresholds(0.8, 0.8), 64, 99, 20, 5, "DPMSolverMultistepScheduler",
            0, 1, 0.98, 1, "classifier", 8);

        Assert.Contains("clean adherence 79.7 % (needs 80 %)", gate.Summary, StringComparison.Ordinal);
        Assert.Contains("harmful presence 100.0 %", gate.Summary, StringComparison.Ordinal);
        Assert.EndsWith("MISSED", gate.Summary, StringComparison.Ordinal);
    }
}
