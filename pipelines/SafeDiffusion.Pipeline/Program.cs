using SafeDiffusion.Pipeline.Cli;

return await CliHost.RunAsync(args, CliEnvironment.FromConsole());
