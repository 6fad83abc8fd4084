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
        // pid 999999 is above Linux's default pid_max (4194304 is the ceiling; 32768 the usual value): no process has it.
        var dead = dir.File($".part-00001.parquet.tmp-999999@{TempOwner.ThisHost}-abcd1234");
        var mine = AtomicFile.TempPathFor(dir.File("part-00002.parquet"));
        File.WriteAllText(dead, "x");
        File.WriteAllText(mine, "y");
        Assert.True(AtomicFile.IsTempName(Path.GetFileName(dead)));

        Assert.Equal(1, AtomicFile.CleanStaleTemps(dir.Path));
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(mine));
    }

    [Fact]
    public void A_temp_of_another_host_is_kept_until_it_is_a_day_old_whatever_its_pid()
    {
        using var dir = new TempDirectory();
        var foreign = dir.File(".manifest.json.tmp-999999@other-host.example-abcd1234");
        var legacy = dir.File(".manifest.json.tmp-999999-abcd1234");
        File.WriteAllText(foreign, "x");
        File.WriteAllText(legacy, "x");
        var written = File.GetLastWriteTimeUtc(foreign);

        Assert.Equal(0, AtomicFile.CleanStaleTemps(dir.Path, written.AddHours(23)));
        Assert.True(File.Exists(foreign));
        Assert.True(File.Exists(legacy));

        Assert.Equal(2, AtomicFile.CleanStaleTemps(dir.Path, written.AddHours(25)));
        Assert.False(File.Exists(foreign));
        Assert.False(File.Exists(legacy));
    }

    [Fact]
    public void Temp_names_record_the_pid_and_the_host()
    {
        var name = Path.GetFileName(AtomicFile.TempPathFor("/tmp/x.json"));
        Assert.StartsWith($".x.json{AtomicFile.TempMarker}{Environment.ProcessId}@{TempOwner.ThisHost}-", name);
        Assert.DoesNotContain('-', TempOwner.ThisHost);
    }
}
