using SafeDiffusion.Core.IO;
using SafeDiffusion.Testing;

namespace SafeDiffusion.Core.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public async Task A_failed_write_leaves_neither_the_file_nor_a_temp()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.txt");
        await Assert.ThrowsAsync<InvalidOperationException>(() => AtomicFile.WriteAsync(path, async (s, ct) =>
        {
            await s.WriteAsync("partial"u8.ToArray(), ct);
            throw new InvalidOperationException("writer died");
        }));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void A_rewrite_replaces_the_whole_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out.txt");
        AtomicFile.WriteAllText(path, "a long first version");
        AtomicFile.WriteAllText(path, "second");
        Assert.Equal("second", File.ReadAllText(path));
    }

    [Fact]
    public void Temps_of_dead_writers_are_cleaned_and_live_ones_kept()
    {
        using var dir = new TempDirectory();
        var dead = dir.File(".part-00001.parquet.tmp-999999-abcd1234");
        var mine = AtomicFile.TempPathFor(dir.File("part-00002.parquet"));
        File.WriteAllText(dead, "x");
        File.WriteAllText(mine, "y");
        Assert.True(AtomicFile.IsTempName(Path.GetFileName(dead)));

        Assert.Equal(1, AtomicFile.CleanStaleTemps(dir.Path));
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(mine));
    }
}
