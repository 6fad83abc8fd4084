using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Core.Progress;
using SafeDiffusion.Diffusion.Native;
using SafeDiffusion.TinyWorld.TinyLlm.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SafeDiffusion.TinyWorld.TinyLlm;

/// <summary>
/// Trains a tiny llama on a <see cref="CaptionCorpus"/> in TorchSharp, on the CPU: every sequence is a writer
/// request in its ChatML turn followed by a JSON-array answer of K captions, and the loss is next-token
/// cross-entropy on the answer. The same corpus and options give the same weights: the initial weights come
/// from a generator seeded with <see cref="TinyLlamaTrainingOptions.Seed"/>, the data order from a seeded
/// SplitMix64, and nothing draws from torch's global generator.
/// </summary>
public static class TinyLlamaTrainer
{
    public static TinyLlamaModel Train(CaptionCorpus corpus, TinyLlamaTrainingOptions options,
        IProgressSink? progress = null, CancellationToken ct = default)
    {
        ValidateOptions(options);
        LibTorchRuntime.EnsureLoadable();
        progress ??= NullProgressSink.Instance;

        var vocabulary = TinyLlamaVocabulary.Build(corpus);
        var sampler = new TrainingBatchSampler(corpus, vocabulary, options.LossOnAnswerOnly, options.Seed);
        var longest = sampler.LongestSequence();
        if (longest > options.ContextLength)
            throw new UsageException(
                $"The longest training sequence has {longest} tokens (instruction and an answer of {corpus.CaptionsPerAnswer} captions) " +
                $"but contextLength is {options.ContextLength}. Raise contextLength, or shorten the instruction or the captions.");

        var hyper = options.HyperParameters(vocabulary.Count);
        var threads = torch.get_num_threads();
        if (options.Threads > 0) torch.set_num_threads(options.Threads);
        try
        {
            var module = new LlamaForCausalLM(hyper);
            try
            {
                var report = Run(module, sampler, options, longest, progress, ct);
                return new TinyLlamaModel(module, vocabulary, options, report, TinyLlamaRecipe.Key(corpus, options));
            }
            catch
            {
                module.Dispose();
                throw;
            }
        }
        finally
        {
            if (options.Threads > 0) torch.set_num_threads(threads);
        }
    }

    /// <summary>Peak rate after linear warm-up, then cosine decay to <see cref="TinyLlamaTrainingOptions.FinalLearningRateRatio"/> of it.</summary>
    public static double LearningRateAt(int step, TinyLlamaTrainingOptions o)
    {
        if (step < o.WarmupSteps) return o.LearningRate * (step + 1) / o.WarmupSteps;
        var span = Math.Max(1, o.Steps - 1 - o.WarmupSteps);
        var progress = Math.Min(1.0, (double)(step - o.WarmupSteps) / span);
        var cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));
        return o.LearningRate * (o.FinalLearningRateRatio + (1 - o.FinalLearningRateRatio) * cosine);
    }

    private static TinyLlamaTrainingReport Run(LlamaForCausalLM module, TrainingBatchSampler sampler, TinyLlamaTrainingOptions o,
        int longest, IProgressSink progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Initialize(module, o);

        var parameters = module.named_parameters().ToList();
        var decayed = parameters.Where(p => p.parameter.dim() > 1).Select(p => p.parameter).ToList();
        var plain = parameters.Where(p => p.parameter.dim() <= 1).Select(p => p.parameter).ToList();
        using var optimizer = torch.optim.AdamW(
        [
            new AdamW.ParamGroup(decayed, lr: o.LearningRate, beta1: o.Beta1, beta2: o.Beta2, eps: 1e-8, weight_decay: o.WeightDecay),
            new AdamW.ParamGroup(plain, lr: o.LearningRate, beta1: o.Beta1, beta2: o.Beta2, eps: 1e-8, weight_decay: 0),
        ], lr: o.LearningRate);

        module.train();
        var losses = new double[o.Steps];
        long lossTokens = 0;
        using (var task = progress.Start("train tiny writer model", o.Steps, "steps"))
        {
            for (int step = 0; step < o.Steps; step++)
            {
                ct.ThrowIfCancellationRequested();
                var rate = LearningRateAt(step, o);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;

                using var scope = torch.NewDisposeScope();
                var (inputs, targets, positions, count) = sampler.Next(o.BatchSize);
                var inputIds = torch.tensor(inputs, [o.BatchSize, positions], ScalarType.Int64);
                var targetIds = torch.tensor(targets, [o.BatchSize, positions], ScalarType.Int64);
                // Only positions with a target go through the output head: with the loss on the answer, most
                // of each sequence (the instruction) needs no logits at all.
                var wanted = targetIds.ne(TrainingBatchSampler.IgnoreIndex);
                var hidden = module.HiddenStates(inputIds)[wanted];
                var loss = nn.functional.cross_entropy(module.Head(hidden), targetIds[wanted]);

                optimizer.zero_grad();
                loss.backward();
                if (o.MaxGradNorm > 0) nn.utils.clip_grad_norm_(module.parameters(), o.MaxGradNorm);
                optimizer.step();

                losses[step] = loss.item<float>();
                lossTokens += count;
                task.Increment();
                task.SetStatus(string.Create(CultureInfo.InvariantCulture, $"loss {losses[step]:F3}"));
            }
        }
        module.eval();

        var tail = Math.Max(1, o.Steps / 10);
        return new TinyLlamaTrainingReport(o.Steps, clock.Elapsed.TotalSeconds, losses[0], losses[^tail..].Average(), lossTokens,
            parameters.Sum(p => p.parameter.numel()), module.HyperParameters.VocabularySize, longest);
    }

    /// <summary>transformers' Llama initialisation: matrices and embeddings N(0, initializer_range), norm weights 1.</summary>
    private static void Initialize(LlamaForCausalLM module, TinyLlamaTrainingOptions o)
    {
        using var generator = new torch.Generator(unchecked((ulong)o.Seed));
        using var noGrad = torch.no_grad();
        foreach (var (_, parameter) in module.named_parameters())
        {
            // Tensor.normal_ draws from the given generator; TorchSharp's nn.init.normal_ ignores its generator
            // argument and would draw from the global one.
            if (parameter.dim() > 1) parameter.normal_(0, o.InitStd, generator);
            else parameter.fill_(1);
        }
    }

    private static void ValidateOptions(TinyLlamaTrainingOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        var problems = results.Select(r => $"{string.Join(", ", r.MemberNames)}: {r.ErrorMessage}")
            .Concat(options.Validate().Select(p => $"{p.Key} {p.Message}"))
            .ToList();
        if (problems.Count > 0)
            throw new UsageException("The tiny writer model's options are invalid: " + string.Join("; ", problems));
    }
}
