using System.CommandLine;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Pipeline.Graphs;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>`pipeline stages`: the stage graphs, each stage with its inputs, record types and purpose.</summary>
internal static class StagesCommand
{
    public static Command Create(CliEnvironment env)
    {
        var graph = new Argument<string?>("graph") { Description = "full or data (default: both).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("stages", "Show the stage graphs.") { graph };
        command.SetAction(parse =>
        {
            var names = parse.GetValue(graph) is { } g ? [g] : PipelineComposition.GraphNames;
            foreach (var name in names)
            {
                env.Out.WriteLine(PipelineComposition.Graph(name).Render());
            }
            return 0;
        });
        return command;
    }
}
