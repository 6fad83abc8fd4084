using SafeDiffusion.Prompts.Gguf;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// The ChatML turn a model with <see cref="TinyLlamaGguf.ChatMlTemplate"/> is prompted with, written out in
/// managed code so training sequences start with exactly the text llama.cpp's template support produces for
/// the prompt writer (one user turn, then the opening of the assistant's turn), and end as ChatML ends a turn.
/// </summary>
public static class ChatMlFormat
{
    public const string Template = TinyLlamaGguf.ChatMlTemplate;
    public const string TurnStart = "<|im_start|>";
    public const string TurnEnd = "<|im_end|>";
    public const string UserRole = "user";
    public const string AssistantRole = "assistant";

    /// <summary>The control tokens the template writes; they must be single tokens of the vocabulary.</summary>
    public static IReadOnlyList<string> ControlTokens => TinyLlamaGguf.ChatMlControlTokens;

    /// <summary>A user turn followed by the start of the assistant's turn, as <c>llama_chat_apply_template</c> writes it.</summary>
    public static string UserTurn(string instruction) =>
        $"{TurnStart}{UserRole}\n{instruction}{TurnEnd}\n{TurnStart}{AssistantRole}\n";
}
