using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Prompts.Llm;
using SafeDiffusion.Prompts.Tests.Support;
using SafeDiffusion.Prompts.Writer;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.Prompts.Tests.Writer;

[Collection(TinyModelCollection.Name)]
public class ChatPromptFormatterTests(TinyModelFixture fixture)
{
    [Fact]
    public void The_model_chat_template_from_gguf_metadata_formats_the_instruction()
    {
        var formatter = ChatPromptFormatter.For(fixture.Model.Weights);

        Assert.Equal(ChatFormat.ModelTemplate, formatter.Format);
        // ChatML, as the tiny model's template defines it.
        Assert.Equal("<|im_start|>user\nWrite three prompts.<|im_end|>\n<|im_start|>assistant\n",
            formatter.FormatUserTurn("Write three prompts."));
    }

    [Fact]
    public async Task A_model_without_a_chat_template_gets_mistral_inst_formatting()
    {
        using var dir = new TempDirectory();
        var path = dir.File("no-template.gguf");
        TinyLlamaGguf.Write(path, new TinyLlamaOptions { ChatTemplate = null });
        using var model = await LlamaTextModel.LoadAsync(path, new LlamaRuntimeOptions(512, 0, 1, 64, 1));

        var formatter = ChatPromptFormatter.For(model.Weights);

        Assert.Equal(ChatFormat.MistralFallback, formatter.Format);
        Assert.Equal("[INST] Write three prompts. [/INST]", formatter.FormatUserTurn("Write three prompts."));
    }

    [Fact]
    public async Task A_template_llama_cpp_cannot_apply_falls_back_to_mistral()
    {
        using var dir = new TempDirectory();
        var path = dir.File("odd-template.gguf");
        TinyLlamaGguf.Write(path, new TinyLlamaOptions { ChatTemplate = "{{ messages | tojson }} (a template no heuristic knows)" });
        using var model = await LlamaTextModel.LoadAsync(path, new LlamaRuntimeOptions(512, 0, 1, 64, 1));

        var formatter = ChatPromptFormatter.For(model.Weights);

        Assert.Equal(ChatFormat.MistralFallback, formatter.Format);
        Assert.Contains("does not support", formatter.Reason);
    }
}
