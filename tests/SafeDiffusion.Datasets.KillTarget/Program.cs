using System.Globalization;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;

// Writes prompt rows p-00000, p-00001, ... and gets itself into the middle of a part for a test to kill it:
// it writes <stop-after> rows, waits until their row groups are on disk, prints "mid-part", then keeps adding rows
// every <delay-ms> without ever filling that part, so the kill lands mid-part whether or not a write is under way.
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: <folder> <rows> <row-group-rows> <rows-per-part> <stop-after> <delay-ms>");
    return 2;
}
int Arg(int i) => int.Parse(args[i], CultureInfo.InvariantCulture);
var folder = args[0];
int rows = Arg(1), rowGroupRows = Arg(2), rowsPerPart = Arg(3), stopAfter = Arg(4);
var delay = TimeSpan.FromMilliseconds(Arg(5));
if (stopAfter % rowGroupRows != 0 || stopAfter % rowsPerPart == 0)
{
    Console.Error.WriteLine("<stop-after> must end a row group and fall inside a part");
    return 2;
}

await using var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(folder, PromptsSchema.Instance,
    new ParquetPartWriterOptions { RowGroupRows = rowGroupRows, RowsPerPart = rowsPerPart });
int lastInPart = stopAfter / rowsPerPart * rowsPerPart + rowsPerPart - 2;
for (int i = 0; i < Math.Min(rows, lastInPart + 1); i++)
{
    await writer.WriteAsync(Row(i));
    if (i + 1 == stopAfter)
    {
        while (writer.RowGroupsWritten < stopAfter / rowGroupRows) await Task.Delay(5);
        Console.WriteLine("mid-part");
    }
    if (i + 1 >= stopAfter) await Task.Delay(delay);
}
await Task.Delay(Timeout.InfiniteTimeSpan);
return 0;

static PromptRecord Row(int i) => new(
    $"p-{i:D5}", $"kill target prompt {i}", i % 3 == 0 ? PromptLabel.Harmful : PromptLabel.Clean, "test", "kill-target", i,
    "kill-target", new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i));
