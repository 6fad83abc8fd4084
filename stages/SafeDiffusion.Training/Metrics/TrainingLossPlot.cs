using SafeDiffusion.Core.IO;
using SafeDiffusion.Images.Plots;
using SafeDiffusion.Training.Engine;

namespace SafeDiffusion.Training.Metrics;

/// <summary>
/// The training curves as a PNG: L_mse (and the loss, where it differs), then for methods with class centres L_c,
/// the distances of the latents to their own and the other centre, and the distance between the centres.
/// </summary>
public static class TrainingLossPlot
{
    public static void Write(string path, string title, IReadOnlyList<StepMetrics> steps, bool withCentres)
    {
        var x = steps.Select(s => (double)s.Step).ToList();
        ChartSeries S(string name, Func<StepMetrics, double> y, ChartColor c) => new(name, x, steps.Select(y).ToList(), c);
        var panels = new List<ChartPanel>
        {
            new("L_mse", steps.Any(s => Math.Abs(s.Loss - s.Mse) > 1e-12)
                ? [S("L_mse", s => s.Mse, ChartColor.Blue), S("loss", s => s.Loss, ChartColor.Orange)]
                : [S("L_mse", s => s.Mse, ChartColor.Blue)]),
        };
        if (withCentres)
        {
            panels.Add(new ChartPanel("L_c", [S("L_c", s => s.Contrast, ChartColor.Red)]));
            panels.Add(new ChartPanel("distance", [
                S("own centre", s => s.DistanceOwn, ChartColor.Green),
                S("other centre", s => s.DistanceOther, ChartColor.Purple),
                S("centres", s => s.CentreDistance, ChartColor.Orange)]));
            // Whether LT's separation is a uniform shift (see CentreGeometry): 1 means the gap lies along the all-ones direction.
            panels.Add(new ChartPanel("centre gap along all-ones (share)", [
                S("gap share along 1", s => s.Centres?.GapOnesShare ?? 0, ChartColor.Red)]));
        }
        panels.Add(new ChartPanel("learning rate", [S("lr", s => s.LearningRate, ChartColor.Blue)]));
        AtomicFile.WriteAllBytes(path, LineChart.RenderPng(title, "step", panels));
    }
}
