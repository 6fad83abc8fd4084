using System.Diagnostics;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;
using SafeDiffusion.Datasets.Tests.Support;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Datasets.Tests.Parts;

/// <summary>
/// Kills a real writer process (SafeDiffusion.Datasets.KillTarget) with SIGKILL while a part is half written, then
/// checks what a reader and a resumed writer see.
/// </summary>
public sealed class KilledWriterTests
{
    private const int Rows = 400;
    private const int RowGroupRows = 4;
    private const int RowsPerPart = 8;

    [Fact]
    public async Task A_writer_killed_mid_part_leaves_only_whole_parts_and_a_rerun_completes_without_duplicates()
    {
        using var dir = new TempDirectory();
        var target = Path.Combine(AppContext.BaseDirectory, "SafeDiffusion.Datasets.KillTarget.dll");
        Assert.True(File.Exists(target), $"{target} was not built beside the tests");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[target, dir.Path, $"{Rows}", $"{RowGroupRows}", $"{RowsPerPart}", "40"]) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var stderr = process.StandardError.ReadToEndAsync();

        // Wait for a finished part and for the next one to have a row group on disk, then kill without warning.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(File.Exists(dir.File("part-00000.parquet")) && TempParts(dir.Path).Any(f => new FileInfo(f).Length > 4)))
        {
            if (process.HasExited)
                Assert.Fail($"the writer exited early ({process.ExitCode}): {await stderr}; folder: " +
                            string.Join(", ", Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName)));
            Assert.True(DateTime.UtcNow < deadline, "the writer made no part in 60 s");
            await Task.Delay(10);
        }
        Assert.False(process.HasExited, "the writer finished before it could be killed");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();

        var leftover = Assert.Single(TempParts(dir.Path));
        var survivors = await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path);
        Assert.NotEmpty(survivors);
        Assert.True(survivors.Count < Rows);
        Assert.Equal(0, survivors.Count % RowsPerPart);
        Assert.Equal(survivors.Count, survivors.Select(p => p.PromptId).Distinct().Count());

        await using (var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(dir.Path, PromptsSchema.Instance,
                         new ParquetPartWriterOptions { RowGroupRows = RowGroupRows, RowsPerPart = RowsPerPart }))
        {
            Assert.False(File.Exists(leftover), "the dead writer's temp was not cleaned up");
            Assert.Equal(survivors.Select(p => p.PromptId).ToHashSet(), writer.ExistingIds.ToHashSet());
            for (int i = 0; i < Rows; i++) await writer.WriteAsync(TestRows.Prompt(i));
            Assert.Equal(survivors.Count, writer.RowsSkipped);
            Assert.Equal(Rows - survivors.Count, writer.RowsWritten);
        }

        var all = await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path);
        Assert.Equal(Rows, all.Count);
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => $"p-{i:D5}").ToHashSet(), all.Select(p => p.PromptId).ToHashSet());
        // Rows the killed process finished are kept as it wrote them, not regenerated.
        Assert.All(all.Where(p => survivors.Any(s => s.PromptId == p.PromptId)), p => Assert.Equal("kill-target", p.Source));
    }

    private static IEnumerable<string> TempParts(string folder) =>
        Directory.GetFiles(folder, ".part-*").Where(f => Core.IO.AtomicFile.IsTempName(Path.GetFileName(f)));
}
