namespace SafeDiffusion.Prompts.Writer;

/// <summary>How the writer wraps its instruction for the model.</summary>
public enum ChatFormat
{
    /// <summary>The model's own chat template (tokenizer.chat_template), applied by llama.cpp through LLamaSharp.</summary>
    ModelTemplate,
    /// <summary>Mistral's <c>[INST] ... [/INST]</c>, for files without a template llama.cpp can apply.</summary>
    MistralFallback,
}
