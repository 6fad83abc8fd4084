using System.Text;
using SafeDiffusion.Core.Errors;

namespace SafeDiffusion.Core.Stages;

/// <summary>
/// A set of stages and the edges their <see cref="IStage.Inputs"/> declare, checked once: names unique, every
/// input known, record types matching along every edge, no cycles. Stages are kept in a topological order.
/// </summary>
public sealed class StageGraph
{
    private readonly Dictionary<string, IStage> _byName;

    public StageGraph(string name, IEnumerable<IStage> stages)
    {
        Name = name;
        var list = stages.ToList();
        _byName = new Dictionary<string, IStage>(StringComparer.Ordinal);
        foreach (var s in list)
            if (!_byName.TryAdd(s.Name, s))
                throw new InvalidOperationException($"Graph {name}: two stages are named {s.Name}.");
        foreach (var s in list)
        {
            foreach (var input in s.Inputs)
            {
                if (!_byName.TryGetValue(input, out var up))
                    throw new InvalidOperationException($"Graph {name}: stage {s.Name} takes input from unknown stage {input}.");
                if (up.OutputType != s.InputType)
                    throw new InvalidOperationException(
                        $"Graph {name}: {input} produces {up.OutputType.Name} but {s.Name} takes {s.InputType.Name}.");
            }
            foreach (var read in s.Reads)
                if (!_byName.ContainsKey(read))
                    throw new InvalidOperationException($"Graph {name}: stage {s.Name} reads artifacts of unknown stage {read}.");
            if (s.Inputs.Count == 0 && s.InputType != typeof(RunStarted))
                throw new InvalidOperationException($"Graph {name}: {s.Name} has no inputs, so it must take RunStarted.");
        }
        Stages = TopologicalOrder(list);
    }

    public string Name { get; }

    /// <summary>
    /// Root seeds of stages that draw their seeds from another root than the run's <c>seed</c> (the copies of the
    /// seeded stages in a run over several seeds), by stage name. A stage listed here sees this seed as
    /// <see cref="Configuration.PipelineConfig.Seed"/> in its <see cref="StageContext"/>, and the seed is part of its
    /// fingerprint; a stage not listed draws from the run's seed, as before.
    /// </summary>
    public IReadOnlyDictionary<string, long> RootSeeds { get; init; } = new Dictionary<string, long>();

    /// <summary>The root seed <paramref name="stage"/> draws from when it is not the run's; null when it is.</summary>
    public long? RootSeedOf(string stage) => RootSeeds.TryGetValue(stage, out var seed) ? seed : null;

    /// <summary>Stages in an order where every stage comes after all stages it depends on.</summary>
    public IReadOnlyList<IStage> Stages { get; }

    public IStage this[string name] => _byName.TryGetValue(name, out var s)
        ? s
        : throw new UsageException($"No stage '{name}' in the {Name} graph. Stages: {string.Join(", ", Stages.Select(x => x.Name))}.");

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Stages this one depends on, directly (inputs and reads).</summary>
    public IEnumerable<string> DependenciesOf(string name) => this[name].Inputs.Concat(this[name].Reads).Distinct();

    /// <summary>The stage and every stage downstream of it.</summary>
    public IReadOnlySet<string> FromStage(string name)
    {
        var result = new HashSet<string> { this[name].Name };
        foreach (var s in Stages)
            if (DependenciesOf(s.Name).Any(result.Contains))
                result.Add(s.Name);
        return result;
    }

    /// <summary>The graph as text, one stage per line with its inputs and record types: `pipeline stages`.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"graph {Name}");
        int width = Stages.Max(s => s.Name.Length);
        foreach (var s in Stages)
        {
            var from = s.Inputs.Count == 0 ? "(start)" : string.Join(" + ", s.Inputs);
            var reads = s.Reads.Count == 0 ? "" : $"  reads: {string.Join(", ", s.Reads)}";
            sb.AppendLine($"  {s.Name.PadRight(width)}  <- {from}  [{s.InputType.Name} -> {s.OutputType.Name}]{reads}");
            sb.AppendLine($"  {new string(' ', width)}     {s.Description}");
        }
        return sb.ToString();
    }

    private List<IStage> TopologicalOrder(List<IStage> stages)
    {
        var order = new List<IStage>();
        var state = new Dictionary<string, int>();
        void Visit(IStage s, Stack<string> path)
        {
            if (state.GetValueOrDefault(s.Name) == 2) return;
            if (state.GetValueOrDefault(s.Name) == 1)
                throw new InvalidOperationException($"Graph {Name} has a cycle: {string.Join(" -> ", path.Reverse())} -> {s.Name}.");
            state[s.Name] = 1;
            path.Push(s.Name);
            foreach (var dep in s.Inputs.Concat(s.Reads)) Visit(_byName[dep], path);
            path.Pop();
            state[s.Name] = 2;
            order.Add(s);
        }
        foreach (var s in stages) Visit(s, new Stack<string>());
        return order;
    }
}
