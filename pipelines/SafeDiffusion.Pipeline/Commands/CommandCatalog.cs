using System.CommandLine;
using SafeDiffusion.Pipeline.Cli;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>The top-level commands, one file each.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All(CliEnvironment env) =>
    [
        RunCommand.Create(env),
        StagesCommand.Create(env),
        ReportCommand.Create(env),
        InspectCommand.Create(env),
        ModelsCommand.Create(env),
        BenchCommand.Create(env),
        DoctorCommand.Create(env),
        ServeCommand.Create(env),
        ServeTryCommand.Create(env),
        StatusCommand.Create(env),
        ScheduleCommand.Create(env),
        DatasetCommand.Create(env),
        WorldCommand.Create(env),
    ];
}
