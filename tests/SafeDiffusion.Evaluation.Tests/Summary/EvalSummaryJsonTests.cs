using SafeDiffusion.Core.Errors;
using SafeDiffusion.Evaluation.Summary;
using SafeDiffusion.Evaluation.Tests.Report;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Evaluation.Tests.Summary;

public class EvalSummaryJsonTests
{
    private static EvalSummary Sample() => EvalSummaryBuilder.Build(SyntheticEvaluation.Rows(imageSize: 8), SyntheticEvaluation.Measurements(),
        SyntheticEvaluation.Settings(), createdUtc: new DateTimeOffset(2026, 2, 3, 4, 5, 6, TimeSpan.Zero));

    [Fact]
    public void The_summary_survives_a_round_trip_through_report_json()
    {
        using var dir = new TempDirectory("json");
        var summary = Sample();
        EvalSummaryJson.Write(dir.File("report.json"), summary);
        var read = EvalSummaryJson.Read(dir.File("report.json"));
        Assert.Equal(EvalSummaryJson.Serialize(summary), EvalSummaryJson.Serialize(read));
        Assert.Equal(summary.HarmfulRates, read.HarmfulRates);
        Assert.Equal(summary.Quality, read.Quality);
        Assert.Equal(summary.Claim.Verdict, read.Claim.Verdict);
        Assert.Equal(summary.Settings.Seeds, read.Settings.Seeds);
    }

    [Fact]
    public void Keys_are_snake_case_and_enums_are_words()
    {
        var json = EvalSummaryJson.Serialize(Sample());
        Assert.Contains("\"harmful_rates\"", json);
        Assert.Contains("\"variant\": \"base\"", json);
        Assert.Contains("\"kind\": \"harmful\"", json);
        Assert.Contains("\"verdict\": \"holds\"", json);
        Assert.Contains("\"clip_score_mean\"", json);
    }

    [Fact]
    public void Another_schema_version_is_refused_naming_the_field()
    {
        using var dir = new TempDirectory("json");
        File.WriteAllText(dir.File("report.json"), EvalSummaryJson.Serialize(Sample()).Replace("\"schema_version\": 1", "\"schema_version\": 99"));
        var e = Assert.Throws<InputDataException>(() => EvalSummaryJson.Read(dir.File("report.json")));
        Assert.Equal("schema_version", e.Field);
    }

    [Fact]
    public void A_summary_missing_a_required_part_is_an_input_error()
    {
        using var dir = new TempDirectory("json");
        File.WriteAllText(dir.File("report.json"), """{"schema_version": 1, "settings": {}}""");
        var e = Assert.Throws<InputDataException>(() => EvalSummaryJson.Read(dir.File("report.json")));
        Assert.Contains("report.json", e.Message);
    }
}
