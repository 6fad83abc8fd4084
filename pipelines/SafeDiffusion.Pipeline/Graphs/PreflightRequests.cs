using SafeDiffusion.Core.Configuration;
using SafeDiffusion.Core.Devices;
using SafeDiffusion.Core.Stages;
using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Stages;

namespace SafeDiffusion.Pipeline.Graphs;

/// <summary>What the stages selected to run will ask of the devices, read from their bound configs.</summary>
internal static class PreflightRequests
{
    public static PreflightRequest For(LoadedConfig loaded, StageConfigs configs, IEnumerable<string> execute)
    {
        var config = loaded.Config;
        var bf16 = config.Models.Where(m => m.Value.Dtype == ModelDtype.BFloat16).Select(m => $"models.{m.Key}.dtype: bfloat16").ToList();
        bool llm = false;
        foreach (var stage in execute)
        {
            switch (configs[stage])
            {
                case FineTuneConfig { Precision: TrainingPrecision.BFloat16Mixed }:
                    bf16.Add($"stages.{stage}.precision");
                    break;
                case HarmfulPromptsConfig { GpuLayers: > 0 }:
                    llm = true;
                    break;
            }
        }
        var devices = config.Devices.Select(DeviceSpec.From).ToList();
        return new PreflightRequest(devices, bf16, llm && devices.Any(d => d.Kind == DeviceKind.Cuda));
    }
}
