namespace SafeDiffusion.TinyWorld.Tokenization;

/// <summary>What <see cref="ClipBpeTokenizerBuilder"/> wrote: the folder, vocabulary size, merges and special ids.</summary>
public sealed record TokenizerBuildResult(string Folder, int VocabularySize, int MergeCount, int BosTokenId, int EosTokenId, int WordCount);
