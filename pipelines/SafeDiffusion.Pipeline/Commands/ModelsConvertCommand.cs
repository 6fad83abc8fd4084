using System.CommandLine;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Diffusion.Checkpoints;
using SafeDiffusion.Pipeline.Cli;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline models convert --from pth --to safetensors &lt;file.pth&gt; [--output FILE] [--force]`: rewrites a PyTorch
/// state dict (zip or legacy torch.save format, e.g. pytorch-fid's pt_inception-2015-12-05-6726825d.pth) as
/// safetensors with the same tensor names, so the pipeline memory-maps it instead of unpickling it on every run.
/// <see cref="Create"/> builds the <c>convert</c> subcommand; the <c>models</c> command attaches it.
/// </summary>
internal static class ModelsConvertCommand
{
    public const string FromPth = "pth";
    public const string ToSafetensors = "safetensors";

    public static Command Create(CliEnvironment env)
    {
        var input = new Argument<string>("input")
        {
            Description = "The .pth file: a state dict saved with torch.save (zip format, or the legacy format of PyTorch before 1.6).",
        };
        var from = new Option<string>("--from")
        {
            Description = $"Format of the input. Only '{FromPth}' is supported.",
            Required = true,
            HelpName = "FORMAT",
        };
        var to = new Option<string>("--to")
        {
            Description = $"Format to write. Only '{ToSafetensors}' is supported.",
            Required = true,
            HelpName = "FORMAT",
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "File to write (default: the input's name with .safetensors in place of .pth).",
            HelpName = "FILE",
        };
        var force = new Option<bool>("--force")
        {
            Description = "Replace the output file when it exists.",
        };

        var command = new Command("convert",
            "Convert model weights between formats: a PyTorch .pth state dict to safetensors (same names, types and shapes).")
        {
            input, from, to, output, force,
        };
        command.SetAction((parse, ct) =>
        {
            ct.ThrowIfCancellationRequested();
            var source = env.FullPath(parse.GetValue(input)!);
            var request = new ConvertRequest(
                source,
                parse.GetValue(from)!,
                parse.GetValue(to)!,
                parse.GetValue(output) is { } o ? env.FullPath(o) : Path.ChangeExtension(source, ".safetensors"),
                parse.GetValue(force));
            return Task.FromResult(Run(env, request));
        });
        return command;
    }

    /// <summary>What to convert; paths are absolute.</summary>
    public sealed record ConvertRequest(string Input, string From, string To, string Output, bool Force);

    public static int Run(CliEnvironment env, ConvertRequest request)
    {
        if (!string.Equals(request.From, FromPth, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--from {request.From}: only '{FromPth}' can be converted.");
        if (!string.Equals(request.To, ToSafetensors, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--to {request.To}: only '{ToSafetensors}' can be written.");
        if (File.Exists(request.Output) && !request.Force)
            throw new UsageException($"{request.Output} exists; pass --force to replace it, or --output to write elsewhere.");

        var result = PthToSafetensorsConverter.Convert(request.Input, request.Output);
        var format = result.SourceFormat == PthFormat.Zip ? "zip" : "legacy";
        env.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Converted {result.Source} ({format} PyTorch format, {result.TensorCount} tensors, {result.DataBytes / 1048576.0:F1} MiB) to {result.Destination}"));
        return ExitCodes.Success;
    }
}
