using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Caching;

namespace SafeDiffusion.TinyWorld.Tests.Caching;

public sealed class TinyArtifactCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new("tinyworld-cache");

    public void Dispose() => _temp.Dispose();

    private static ArtifactRecipe Recipe(int size = 32, int version = 1) => ArtifactRecipe.From("thing", version, new { size, seed = 7 });

    [Fact]
    public async Task An_artifact_is_built_once_then_served_from_the_cache()
    {
        var cache = new TinyArtifactCache(_temp.Path);
        int builds = 0;
        Task Build(string folder, CancellationToken ct)
        {
            builds++;
            File.WriteAllText(Path.Combine(folder, "weights.bin"), "w");
            return Task.CompletedTask;
        }
        var first = await cache.GetOrBuildAsync(Recipe(), Build);
        var second = await cache.GetOrBuildAsync(Recipe(), Build);
        Assert.Equal(1, builds);
        Assert.Equal(first, second);
        Assert.Equal("w", File.ReadAllText(Path.Combine(first, "weights.bin")));
        Assert.True(File.Exists(Path.Combine(first, TinyArtifactCache.RecipeFile)));
        Assert.StartsWith(Path.Combine(_temp.Path, "thing"), first, StringComparison.Ordinal);
        Assert.True(cache.TryGet(Recipe(), out var found));
        Assert.Equal(first, found);
    }

    [Fact]
    public void The_key_changes_with_the_settings_and_the_recipe_version_and_nothing_else()
    {
        Assert.Equal(Recipe().Key, Recipe().Key);
        Assert.NotEqual(Recipe().Key, Recipe(size: 64).Key);
        Assert.NotEqual(Recipe().Key, Recipe(version: 2).Key);
        Assert.NotEqual(Recipe().Key, ArtifactRecipe.From("other", 1, new { size = 32, seed = 7 }).Key);
        Assert.Throws<ArgumentException>(() => ArtifactRecipe.From("../escape", 1, new { }));
    }

    [Fact]
    public async Task Concurrent_builders_of_one_key_build_it_once_and_all_get_the_whole_artifact()
    {
        var cache = new TinyArtifactCache(_temp.Path);
        int builds = 0;
        async Task Build(string folder, CancellationToken ct)
        {
            Interlocked.Increment(ref builds);
            // Written in two steps with a pause between: a reader that could see the folder early would see half of it.
            await File.WriteAllTextAsync(Path.Combine(folder, "part1"), "one", ct);
            await Task.Delay(300, ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "part2"), "two", ct);
        }
        var tasks = Enumerable.Range(0, 6).Select(_ => Task.Run(() => cache.GetOrBuildAsync(Recipe(), Build))).ToList();
        // Readers polling meanwhile only ever see no folder or a whole one.
        var watcher = Task.Run(async () =>
        {
            var path = cache.PathFor(Recipe());
            while (!tasks.All(t => t.IsCompleted))
            {
                if (Directory.Exists(path)) Assert.True(File.Exists(Path.Combine(path, "part2")), "a half-built artifact was visible");
                await Task.Delay(5);
            }
        });
        var paths = await Task.WhenAll(tasks);
        await watcher;
        Assert.Equal(1, builds);
        Assert.Single(paths.Distinct());
        Assert.Equal("two", File.ReadAllText(Path.Combine(paths[0], "part2")));
    }

    [Fact]
    public async Task A_failed_build_leaves_nothing_behind_and_the_next_one_succeeds()
    {
        var cache = new TinyArtifactCache(_temp.Path);
        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrBuildAsync(Recipe(), (folder, _) =>
        {
            File.WriteAllText(Path.Combine(folder, "partial"), "x");
            throw new InvalidOperationException("out of memory");
        }));
        Assert.False(cache.TryGet(Recipe(), out _));
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_temp.Path, "thing")));

        var path = await cache.GetOrBuildAsync(Recipe(), (folder, _) => File.WriteAllTextAsync(Path.Combine(folder, "ok"), "y"));
        Assert.Equal(new[] { "ok", TinyArtifactCache.RecipeFile }.Order(), Directory.EnumerateFiles(path).Select(f => Path.GetFileName(f)!).Order());
    }

    [Fact]
    public async Task A_temp_folder_left_by_a_dead_builder_is_removed_by_the_next_build()
    {
        var cache = new TinyArtifactCache(_temp.Path);
        var kind = Path.Combine(_temp.Path, "thing");
        // No process has pid int.MaxValue - 1 on Linux (pid_max is at most 2^22); the temp names this host, so the pid can be checked.
        var deadOwner = SafeDiffusion.Core.IO.TempOwner.Current with { ProcessId = int.MaxValue - 1 };
        var stale = Path.Combine(kind, $".tmp-{Recipe().Key}-{deadOwner}-deadbeef");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "half"), "h");
        await cache.GetOrBuildAsync(Recipe(), (folder, _) => Task.CompletedTask);
        Assert.False(Directory.Exists(stale));
    }

    [Fact]
    public void The_root_comes_from_SAFEDIFFUSION_CACHE_then_XDG_CACHE_HOME_then_the_home_folder()
    {
        var saved = (Environment.GetEnvironmentVariable(TinyArtifactCache.EnvironmentVariable), Environment.GetEnvironmentVariable("XDG_CACHE_HOME"));
        try
        {
            Environment.SetEnvironmentVariable(TinyArtifactCache.EnvironmentVariable, _temp.File("explicit"));
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", _temp.File("xdg"));
            Assert.Equal(_temp.File("explicit"), TinyArtifactCache.DefaultRoot());
            Environment.SetEnvironmentVariable(TinyArtifactCache.EnvironmentVariable, null);
            Assert.Equal(_temp.File("xdg", "safediffusion"), TinyArtifactCache.DefaultRoot());
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "safediffusion"), TinyArtifactCache.DefaultRoot());
        }
        finally
        {
            Environment.SetEnvironmentVariable(TinyArtifactCache.EnvironmentVariable, saved.Item1);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved.Item2);
        }
    }
}
