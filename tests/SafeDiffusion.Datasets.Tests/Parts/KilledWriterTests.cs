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
    private const int Rows = 100;
    private const int RowGroupRows = 4;
    private const int RowsPerPart = 16;
    // One whole part, then two row groups of the next.
    private const int StopAfter = 24;

    [Fact]
    public async Task A_writer_killed_mid_part_leaves_only_whole_parts_and_a_rerun_completes_without_duplicates()
    {
        using var dir = new TempDirectory();
        var target = Path.Combine(AppContext.BaseDirectory, "SafeDiffusion.Datasets.KillTarget.dll");
        Assert.True(File.Exists(target), $"{target} was not built beside the tests");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[target, dir.Path, $"{Rows}", $"{RowGroupRows}", $"{RowsPerPart}", $"{StopAfter}", "15"])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            string? line;
            do line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            while (line is not null && line != "mid-part");
            if (line is null) Assert.Fail($"the writer exited before reaching mid-part: {await stderr}");
        }
        // It keeps adding rows to the open part; land the kill at some point among those writes.
        await Task.Delay(Random.Shared.Next(0, 60));
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();

        var leftover = Assert.Single(TempParts(dir.Path));
        Assert.True(new FileInfo(leftover).Length > 4, "the killed part had no row group on disk");
        var survivors = await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path);
        Assert.Equal(Enumerable.Range(0, RowsPerPart).Select(i => $"p-{i:D5}"), survivors.Select(p => p.PromptId));

        await using (var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(dir.Path, PromptsSchema.Instance,
                         new ParquetPartWriterOptions { RowGroupRows = RowGroupRows, RowsPerPart = RowsPerPart }))
        {
            Assert.False(File.Exists(leftover), "the dead writer's temp was not cleaned up");
            Assert.Equal(survivors.Select(p => p.PromptId).ToHashSet(), writer.ExistingIds.ToHashSet());
            for (int i = 0; i < Rows; i++) await writer.WriteAsync(TestRows.Prompt(i));
            Assert.Equal(RowsPerPart, writer.RowsSkipped);
            Assert.Equal(Rows - RowsPerPart, writer.RowsWritten);
        }

        var all = await DatasetAsync.ReadAllAsync(PromptsSchema.Instance, dir.Path);
        Assert.Equal(Rows, all.Count);
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => $"p-{i:D5}").ToHashSet(), all.Select(p => p.PromptId).ToHashSet());
        // Rows the killed process finished are kept as it wrote them, not rewritten by the rerun.
        Assert.All(all.Take(RowsPerPart), p => Assert.Equal("kill-target", p.Source));
        Assert.Empty(TempParts(dir.Path));
    }

    private static IEnumerable<string> TempParts(string folder) =>
        Directory.GetFiles(folder, ".part-*").Where(f => Core.IO.AtomicFile.IsTempName(Path.GetFileName(f)));
}
