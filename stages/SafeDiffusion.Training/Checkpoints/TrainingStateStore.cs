using System.Globalization;
using System.Text.Json;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.IO;
using SafeDiffusion.Diffusion.Safetensors;
using SafeDiffusion.Training.Engine;
using SafeDiffusion.Training.Objectives;
using static TorchSharp.torch;

namespace SafeDiffusion.Training.Checkpoints;

/// <summary>
/// The resumable state of a training run in a folder: each save is a complete <c>step-NNNNNN/</c> folder (the UNet's
/// float32 weights, both AdamW moments, the class centres, and <c>state.json</c> with the step, data position, batch
/// counter, centre counts and the run's fingerprint) built under a temp name and renamed into place; then
/// <c>latest.json</c> is atomically pointed at it and older step folders are removed. A kill at any moment leaves
/// the previous state readable. Seeds need no saving: every random draw is derived from the run seed and counters.
/// </summary>
public sealed class TrainingStateStore(string directory)
{
    private const string PointerFile = "latest.json";
    private const string StateFile = "state.json";
    private const string UnetFile = "unet.safetensors";
    private const string OptimizerFile = "optimizer.safetensors";
    private const string CentresFile = "centres.safetensors";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Directory { get; } = Path.GetFullPath(directory);

    public void Save(DiffusionTrainer trainer, string fingerprint)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = string.Create(CultureInfo.InvariantCulture, $"step-{trainer.State.Step:D6}");
        var final = Path.Combine(Directory, name);
        var temp = AtomicFile.TempPathFor(final);
        try
        {
            System.IO.Directory.CreateDirectory(temp);
            DiffusersModelWriter.WriteFloat32(Path.Combine(temp, UnetFile), trainer.Model.Unet);
            SafetensorsWriter.Write(Path.Combine(temp, OptimizerFile), trainer.Optimizer.StateTensors());
            var centres = trainer.Centres;
            if (centres is not null)
                SafetensorsWriter.Write(Path.Combine(temp, CentresFile), [new("clean", centres.Clean), new("harmful", centres.Harmful)]);
            var state = trainer.State;
            var saved = new SavedTrainingState(SavedTrainingState.CurrentFormat, fingerprint, state.Step, state.Next, state.MicroBatches,
                state.Epoch, trainer.Optimizer.StepCount, centres is not null, centres?.CleanCount ?? 0, centres?.HarmfulCount ?? 0,
                DateTimeOffset.UtcNow);
            AtomicFile.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(saved, Json));
            DiffusersModelWriter.Replace(temp, final);
        }
        catch
        {
            DiffusersModelWriter.TryDelete(temp);
            throw;
        }
        AtomicFile.WriteAllText(Path.Combine(Directory, PointerFile), JsonSerializer.Serialize(new Pointer(name), Json));
        foreach (var old in System.IO.Directory.EnumerateDirectories(Directory, "step-*"))
            if (Path.GetFileName(old) != name) DiffusersModelWriter.TryDelete(old);
    }

    /// <summary>The latest saved state, or null when there is none.</summary>
    public SavedTrainingState? Peek()
    {
        var folder = LatestFolder();
        return folder is null ? null : ReadState(folder);
    }

    /// <summary>
    /// Puts <paramref name="trainer"/> (freshly built on the same base model) where the saved state left off. Returns
    /// false, changing nothing, when there is no state or it belongs to a run with another fingerprint.
    /// </summary>
    public bool TryRestore(DiffusionTrainer trainer, string fingerprint)
    {
        var folder = LatestFolder();
        if (folder is null) return false;
        var saved = ReadState(folder);
        if (saved.Fingerprint != fingerprint || saved.Format != SavedTrainingState.CurrentFormat) return false;

        var unetPath = Path.Combine(folder, UnetFile);
        using (var file = SafetensorsFile.Open(unetPath))
        {
            var report = ModuleWeightLoader.Load(trainer.Model.Unet, [file]);
            report.ThrowIfMissing("the saved UNet");
        }
        var optimizer = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var optimizerFile = SafetensorsFile.Open(Path.Combine(folder, OptimizerFile));
        using var scope = NewDisposeScope();
        foreach (var name in optimizerFile.Tensors.Keys) optimizer[name] = optimizerFile.Load(name);
        ClassCentres? centres = null;
        if (saved.HasCentres)
        {
            using var centresFile = SafetensorsFile.Open(Path.Combine(folder, CentresFile));
            centres = new ClassCentres(centresFile.Load("clean", device: trainer.Model.Device), centresFile.Load("harmful", device: trainer.Model.Device),
                saved.CleanCount, saved.HarmfulCount);
        }
        trainer.Restore(new TrainerState(saved.Step, saved.Next, saved.MicroBatches, saved.Epoch), saved.OptimizerSteps, optimizer, centres);
        return true;
    }

    /// <summary>Removes every saved state.</summary>
    public void Clear()
    {
        if (System.IO.Directory.Exists(Directory)) DiffusersModelWriter.TryDelete(Directory);
    }

    private string? LatestFolder()
    {
        var pointer = Path.Combine(Directory, PointerFile);
        if (!File.Exists(pointer)) return null;
        try
        {
            var name = JsonSerializer.Deserialize<Pointer>(File.ReadAllText(pointer), Json)?.Folder;
            var folder = name is null ? null : Path.Combine(Directory, name);
            return folder is not null && System.IO.Directory.Exists(folder) ? folder : null;
        }
        catch (JsonException e)
        {
            throw new InputDataException(pointer, $"is not valid JSON ({e.Message}).", fix: "Delete the state folder to train from the start.");
        }
    }

    private static SavedTrainingState ReadState(string folder)
    {
        var path = Path.Combine(folder, StateFile);
        try
        {
            return JsonSerializer.Deserialize<SavedTrainingState>(File.ReadAllText(path), Json)
                   ?? throw new InputDataException(path, "is empty.", fix: "Delete the state folder to train from the start.");
        }
        catch (JsonException e)
        {
            throw new InputDataException(path, $"is not valid JSON ({e.Message}).", fix: "Delete the state folder to train from the start.");
        }
    }

    private sealed record Pointer(string Folder);
}
