namespace SafeDiffusion.Prompts.Llm;

/// <summary>How llama.cpp runs a model: context size, GPU layers, threads, batch size and parallel sequences.</summary>
/// <param name="Threads">CPU threads; 0 lets LLamaSharp choose.</param>
/// <param name="SequenceCount">Sequences (requests) one context decodes together.</param>
/// <param name="MainGpu">The GPU that holds the model when layers are offloaded (the leased cuda:N).</param>
public sealed record LlamaRuntimeOptions(int ContextSize, int GpuLayers, int Threads, int BatchSize, int SequenceCount, int MainGpu = 0);
