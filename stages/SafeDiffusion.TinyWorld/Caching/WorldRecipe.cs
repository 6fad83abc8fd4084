namespace SafeDiffusion.TinyWorld.Caching;

/// <summary>
/// The tiny world's one recipe version: the number of the recipe in docs/lab-notebook.md ("Recipe numbers"). Every
/// cached or shipped tiny-world artifact (captions, classifier, reference renders, base model, prompt writer) keys on
/// it, so bumping it rebuilds them all.
/// </summary>
/// <remarks>
/// Settings and component configs are hashed into each artifact's recipe already; the version covers what hashing
/// settings cannot see: a change to the code that renders scenes, samples layouts, exports captions or trains a model,
/// after which the same settings would build something different. Bump it with any such change, add the recipe to the
/// notebook, and rebuild the shipped world (<c>pipeline world build</c>): the shipped manifest names this version, so
/// a stale <c>data/tiny-world</c> stops matching instead of serving weights the code would no longer build.
/// </remarks>
public static class WorldRecipe
{
    public const int Version = 10;
}
