using System.Diagnostics;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.Caching;
using SafeDiffusion.TinyWorld.Classifier;
using SafeDiffusion.TinyWorld.Configuration;
using TorchSharp;

namespace SafeDiffusion.TinyWorld.Tests.Classifier;

/// <summary>
/// Trains the default-config classifier once (through the artifact cache, in a private cache folder) for every
/// classifier test: this is the slow part (the default recipe, up to about a minute on two busy cores).
/// </summary>
public sealed class TrainedClassifierFixture : IDisposable
{
    public TrainedClassifierFixture()
    {
        LibTorchRuntime.EnsureLoadable();
        ThreadsBefore = torch.get_num_threads();
        var clock = Stopwatch.StartNew();
        Classifier = TinyWorldClassifier.GetOrTrainAsync(World, Cache).GetAwaiter().GetResult();
        WallSeconds = clock.Elapsed.TotalSeconds;
    }

    /// <summary>The shipped defaults, with the thread count pinned to the two cores the project budgets for.</summary>
    public TinyWorldConfig World { get; } = new() { Classifier = new TinyClassifierConfig { Threads = 2 } };

    public TempDirectory CacheFolder { get; } = new("tinyworld-classifier-cache");

    public TinyArtifactCache Cache => new(CacheFolder.Path);

    public TinyWorldClassifier Classifier { get; }

    public int ThreadsBefore { get; }

    /// <summary>Rendering, training, evaluation and saving, as the first `pipeline run full` pays for it.</summary>
    public double WallSeconds { get; }

    public void Dispose()
    {
        Classifier.Dispose();
        CacheFolder.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClassifierCollection : ICollectionFixture<TrainedClassifierFixture>
{
    public const string Name = "tiny world classifier";
}
