using System.Text;
using LLama;
using LLama.Exceptions;

namespace SafeDiffusion.Prompts.Writer;

/// <summary>
/// Turns an instruction into the text the model is prompted with: the model's own chat template from its GGUF
/// metadata, applied by llama.cpp's template support through <see cref="LLamaTemplate"/>, or Mistral's
/// <c>[INST] ... [/INST]</c> when the file has no template (or one llama.cpp cannot apply). The BOS token is not
/// part of the text: the tokenizer adds it when the model asks for it.
/// </summary>
public sealed class ChatPromptFormatter
{
    private readonly LLamaWeights? _weights;

    private ChatPromptFormatter(LLamaWeights? weights, ChatFormat format, string reason)
    {
        _weights = weights;
        Format = format;
        Reason = reason;
    }

    public ChatFormat Format { get; }

    /// <summary>Why this format was chosen, for the run's notes.</summary>
    public string Reason { get; }

    public static ChatPromptFormatter For(LLamaWeights weights)
    {
        if (weights.NativeHandle.GetTemplate(null, strict: false) is null)
            return new ChatPromptFormatter(null, ChatFormat.MistralFallback, "the model file has no tokenizer.chat_template");
        try
        {
            Apply(weights, "test");
            return new ChatPromptFormatter(weights, ChatFormat.ModelTemplate, "the model's tokenizer.chat_template");
        }
        catch (RuntimeError)
        {
            return new ChatPromptFormatter(null, ChatFormat.MistralFallback, "llama.cpp does not support the model's chat template");
        }
    }

    /// <summary>A single user turn followed by the start of the assistant's turn.</summary>
    public string FormatUserTurn(string instruction) =>
        _weights is null ? Mistral(instruction) : Apply(_weights, instruction);

    public static string Mistral(string instruction) => $"[INST] {instruction} [/INST]";

    private static string Apply(LLamaWeights weights, string instruction)
    {
        var template = new LLamaTemplate(weights) { AddAssistant = true };
        template.Add("user", instruction);
        return Encoding.UTF8.GetString(template.Apply());
    }
}
