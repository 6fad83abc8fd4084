using SafeDiffusion.Pipeline.Cli;
using SafeDiffusion.Prompts.Gguf;
using SafeDiffusion.Testing;
using SafeDiffusion.TinyWorld.TinyLlm;

namespace SafeDiffusion.Pipeline.Tests.Support;

/// <summary>
/// A temp folder with the data graph's inputs (a caption list, a tiny random llama, the tiny-sd1 reference model)
/// and a config over them; plus the command line run in-process.
/// </summary>
internal sealed class DataGraphWorkspace : IDisposable
{
    private readonly TempDirectory _dir;

    public DataGraphWorkspace(string prefix) => _dir = new TempDirectory(prefix);

    public string Path => _dir.Path;

    public string File(params string[] parts) => _dir.File(parts);

    public string Runs => _dir.File("runs");

    /// <summary>Writes the config; <paramref name="extraYaml"/> is appended at top level (e.g. a schedule section).</summary>
    public string WriteConfig(string extraYaml = "", int captions = 3, int harmfulPerCategory = 2)
    {
        System.IO.File.WriteAllLines(_dir.File("captions.txt"),
        [
            "a lighthouse on a cliff at dusk", "a bowl of fruit on a wooden table", "a red bicycle leaning on a wall",
            "two cats asleep on a sofa", "a sailing boat on a calm lake", "a snowy mountain village at night",
        ]);
        var gguf = _dir.File("writer.gguf");
        if (!System.IO.File.Exists(gguf)) TinyLlamaGguf.Write(gguf);
        var model = SharedFixtures.Path("sd-parity", "tiny-sd1", "model");
        var yaml = $$"""
            name: data-test
            seed: 5
            devices: [{ id: cpu, memory: 4GiB }]
            models:
              base: { path: "{{model}}" }
              writer: { path: "{{gguf}}" }
            stages:
              laion-prompts:
                input: "{{_dir.File("captions.txt")}}"
                sample-size: {{captions}}
              harmful-prompts:
                model: writer
                context-size: 4096
                parallel-requests: 4
                prompts-per-request: 2
                prompts-per-category: {{harmfulPerCategory}}
                categories: [{ name: violence }]
              images:
                width: 32
                height: 32
                steps: 2
                guidance: 3
                batch-size: 2
                holdout-fraction: 0.3
                scheduler: ddim
            {{extraYaml}}
            """;
        var path = _dir.File("data.yaml");
        System.IO.File.WriteAllText(path, yaml);
        return path;
    }

    public CliEnvironment Environment(StringWriter output, StringWriter error) => CliEnvironment.ForTest(output, error, _dir.Path);

    public async Task<(int Code, string Out, string Err)> PipelineAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await CliHost.RunAsync(args, Environment(output, error));
        return (code, output.ToString(), error.ToString());
    }

    public void Dispose() => _dir.Dispose();
}
