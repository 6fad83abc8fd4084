using SafeDiffusion.TinyWorld.Captions;

namespace SafeDiffusion.TinyWorld.Tokenization;

/// <summary>The tiny text encoder's tokenizer: every word of the caption grammar is one token.</summary>
public static class WorldTokenizer
{
    /// <summary>Writes the tokenizer folder (a diffusers <c>tokenizer/</c>) for the world's vocabulary.</summary>
    public static TokenizerBuildResult Write(string folder) => ClipBpeTokenizerBuilder.Build(CaptionVocabulary.Words, folder);
}
