using System.CommandLine;

var root = new RootCommand("SafeDiffusion.Pipeline: data, safety training, attack and evaluation for text-to-image diffusion models.");
return await root.Parse(args).InvokeAsync();
