using LLama.Native;
using SafeDiffusion.Prompts.Llm;

namespace SafeDiffusion.Prompts.Tests.Writer;

public class LlamaParametersTests
{
    [Fact]
    public void With_gpu_layers_the_model_stays_whole_on_its_leased_gpu()
    {
        var p = LlamaTextModel.CreateParameters("m.gguf", new LlamaRuntimeOptions(8192, 999, 0, 512, 16, MainGpu: 1));
        Assert.Equal(GPUSplitMode.None, p.SplitMode);
        Assert.Equal(1, p.MainGpu);
        Assert.Equal(999, p.GpuLayerCount);
        Assert.Equal(16u, p.SeqMax);
    }

    [Fact]
    public void On_the_cpu_no_split_mode_is_set()
    {
        var p = LlamaTextModel.CreateParameters("m.gguf", new LlamaRuntimeOptions(4096, 0, 2, 512, 8));
        Assert.Null(p.SplitMode);
        Assert.Equal(0, p.GpuLayerCount);
    }
}
