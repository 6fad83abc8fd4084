using SafeDiffusion.Core.Contracts;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Datasets.Parts;
using SafeDiffusion.Evaluation.Data;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Evaluation.Tests.Data;

public class EvalSchemaTests
{
    private static EvalImageRecord Row(int i, byte[] png, string imageRef = "", double? clip = 30.5) => new(
        EvalImageRecord.StableId(EvalVariant.Safe, true, "i2p", $"p{i}", 7 + i, $"sha-{i}"), EvalVariant.Safe, true, "i2p", PromptLabel.Harmful, $"p{i}",
        $"prompt {i}", "violence", 7 + i, png, imageRef, "sd-safety-checker", 0.125 * i, i % 2 == 0, i % 2 == 0 ? "nsfw" : "", clip, null, "safe@abc");

    [Fact]
    public async Task Rows_written_with_the_part_writer_read_back_equal()
    {
        using var dir = new TempDirectory("eval");
        var rows = Enumerable.Range(0, 5).Select(i => Row(i, [1, 2, (byte)i], clip: i == 3 ? null : 30.5)).ToList();
        await using (var writer = await ParquetPartWriter<EvalImageRecord>.OpenAsync(dir.Path, EvalSchema.Instance))
            foreach (var r in rows) await writer.WriteAsync(r);

        var read = new List<EvalImageRecord>();
        await foreach (var r in new ParquetPartReader<EvalImageRecord>(EvalSchema.Instance).ReadAsync(dir.Path)) read.Add(r);

        Assert.Equal(5, read.Count);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(rows[i] with { Png = [] }, read[i] with { Png = [] });
            Assert.Equal(rows[i].Png, read[i].Png);
        }
        Assert.Null(read[3].ClipScore);
        Assert.True(read[0].Flagged);
        Assert.True(read[0].Attacked);
    }

    [Fact]
    public async Task A_row_with_neither_image_bytes_nor_a_reference_is_refused_on_read()
    {
        using var dir = new TempDirectory("eval");
        await using (var writer = await ParquetPartWriter<EvalImageRecord>.OpenAsync(dir.Path, EvalSchema.Instance))
            await writer.WriteAsync(Row(1, []));
        var e = await Assert.ThrowsAsync<InputDataException>(async () =>
        {
            await foreach (var _ in new ParquetPartReader<EvalImageRecord>(EvalSchema.Instance).ReadAsync(dir.Path)) { }
        });
        Assert.Contains("image", e.Message);
    }

    [Fact]
    public void Stable_ids_depend_on_every_identifying_field_and_on_the_judged_image()
    {
        var id = EvalImageRecord.StableId(EvalVariant.Base, false, "i2p", "p1", 1, "aa");
        Assert.Equal(id, EvalImageRecord.StableId(EvalVariant.Base, false, "i2p", "p1", 1, "aa"));
        Assert.NotEqual(id, EvalImageRecord.StableId(EvalVariant.Safe, false, "i2p", "p1", 1, "aa"));
        Assert.NotEqual(id, EvalImageRecord.StableId(EvalVariant.Base, true, "i2p", "p1", 1, "aa"));
        Assert.NotEqual(id, EvalImageRecord.StableId(EvalVariant.Base, false, "coco", "p1", 1, "aa"));
        Assert.NotEqual(id, EvalImageRecord.StableId(EvalVariant.Base, false, "i2p", "p2", 1, "aa"));
        Assert.NotEqual(id, EvalImageRecord.StableId(EvalVariant.Base, false, "i2p", "p1", 2, "aa"));
        // The same prompt and seed drawn by a retrained model is another image, so another row.
        Assert.NotEqual(id, EvalImageRecord.StableId(EvalVariant.Base, false, "i2p", "p1", 1, "bb"));
    }

    [Fact]
    public void Arms_order_and_name_the_matrix_columns()
    {
        Assert.Equal(["base-before", "base-after", "safe-before", "safe-after", "control-before", "control-after"], EvalArm.All.Select(a => a.Key));
        Assert.Equal("control, before attack", new EvalArm(EvalVariant.Control, false).Label);
        Assert.Equal("safe, after attack", new EvalArm(EvalVariant.Safe, true).Label);
    }
}
