using SafeDiffusion.Prompts.Stages;
using SafeDiffusion.TinyWorld.Captions;

namespace SafeDiffusion.TinyWorld.Integration;

/// <summary>Prompts the tiny world can draw: those its caption grammar parses.</summary>
public sealed class WorldCaptionDomain : IPromptDomain
{
    public string Name => "tiny world captions";

    public bool Accepts(string prompt) => CaptionParser.TryParse(prompt, out _, out _);
}
