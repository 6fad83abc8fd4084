using System.Globalization;
using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Datasets.Schemas;

// Writes prompt rows p-00000, p-00001, ... slowly so a test can kill this process while a part is half written.
if (args.Length != 5)
{
    Console.Error.WriteLine("usage: <folder> <rows> <row-group-rows> <rows-per-part> <delay-ms>");
    return 2;
}
var folder = args[0];
int rows = int.Parse(args[1], CultureInfo.InvariantCulture);
var options = new ParquetPartWriterOptions
{
    RowGroupRows = int.Parse(args[2], CultureInfo.InvariantCulture),
    RowsPerPart = int.Parse(args[3], CultureInfo.InvariantCulture),
};
var delay = TimeSpan.FromMilliseconds(int.Parse(args[4], CultureInfo.InvariantCulture));

await using var writer = await ParquetPartWriter<PromptRecord>.OpenAsync(folder, PromptsSchema.Instance, options);
for (int i = 0; i < rows; i++)
{
    var text = $"kill target prompt {i}";
    await writer.WriteAsync(new PromptRecord(
        $"p-{i:D5}", text, i % 3 == 0 ? PromptLabel.Harmful : PromptLabel.Clean, "test", "kill-target", i, "kill-target",
        new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i)));
    Console.WriteLine(i);
    await Task.Delay(delay);
}
return 0;
