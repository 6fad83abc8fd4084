using System.CommandLine;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Benchmarks;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Pipeline.Cli;

namespace SafeDiffusion.Pipeline.Commands;

/// <summary>
/// `pipeline bench parquet`: the part writer against a bare Parquet.Net loop writing the same image rows
/// (rows/s, MB/s, peak RSS), to check the writer's overhead on this machine and disk.
/// </summary>
internal static class ParquetBenchCommand
{
    public static Command Create(CliEnvironment env)
    {
        var defaults = new ParquetWriteBenchmarkOptions();
        var rows = new Option<int>("--rows") { Description = "Rows written per run.", DefaultValueFactory = _ => defaults.Rows, HelpName = "N" };
        var payload = new Option<int>("--payload-kib") { Description = "Size of each row's image bytes (random, incompressible).", DefaultValueFactory = _ => defaults.PayloadBytes / 1024, HelpName = "KIB" };
        var rowGroup = new Option<int>("--row-group") { Description = "Rows per row group.", DefaultValueFactory = _ => defaults.RowGroupRows, HelpName = "ROWS" };
        var perPart = new Option<int>("--rows-per-part") { Description = "Rows per part file.", DefaultValueFactory = _ => defaults.RowsPerPart, HelpName = "ROWS" };
        var compression = new Option<PartCompression>("--compression") { Description = "None, Snappy, Gzip or Zstd.", DefaultValueFactory = _ => defaults.Compression };
        var repetitions = new Option<int>("--repetitions") { Description = "Measured runs of each writer.", DefaultValueFactory = _ => defaults.Repetitions, HelpName = "K" };
        var dir = new Option<string?>("--dir") { Description = "Where to write (default: a temp folder); use the disk your runs live on.", HelpName = "DIR" };
        var command = new Command("parquet", "The Parquet part writer vs a bare Parquet.Net loop on the same rows: rows/s, MB/s, peak RSS.")
        {
            rows, payload, rowGroup, perPart, compression, repetitions, dir,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ParquetWriteBenchmarkOptions
            {
                Rows = Positive(parse.GetValue(rows), "--rows"),
                PayloadBytes = Positive(parse.GetValue(payload), "--payload-kib") * 1024,
                RowGroupRows = Positive(parse.GetValue(rowGroup), "--row-group"),
                RowsPerPart = Positive(parse.GetValue(perPart), "--rows-per-part"),
                Compression = parse.GetValue(compression),
                Repetitions = Positive(parse.GetValue(repetitions), "--repetitions"),
                Directory = parse.GetValue(dir) is { } d ? env.FullPath(d) : null,
            };
            var result = await ParquetWriteBenchmark.RunAsync(options, ct);
            env.Out.Write(result.Format());
            return ExitCodes.Success;
        });
        return command;
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be at least 1 (got {value}).");
}
