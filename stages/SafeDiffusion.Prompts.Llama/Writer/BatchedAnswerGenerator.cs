using System.Runtime.CompilerServices;
using LLama;
using LLama.Batched;
using LLama.Native;
using LLama.Sampling;
using SafeDiffusion.Core.Errors;
using SafeDiffusion.Prompts.Configuration;
using SafeDiffusion.Prompts.Llm;

namespace SafeDiffusion.Prompts.Writer;

/// <summary>
/// Runs many requests at once on one loaded model through LLamaSharp's <see cref="BatchedExecutor"/>: one
/// <see cref="Conversation"/> (llama.cpp sequence) per request, each with its own grammar-constrained sampler
/// chain and seed, all advanced by one decode call per step. New requests join as others finish, within the
/// context's token budget (<see cref="AnswerAdmission"/>: the expected answer length is reserved, and an answer that
/// runs past it is cut and retried alone with the same seed). Answers come out in request order, whatever order they
/// finish in, so what follows (deduplication, category quotas) does not depend on how requests happened to be batched.
/// </summary>
internal sealed class BatchedAnswerGenerator(
    LlamaTextModel model,
    BatchedExecutor executor,
    string grammar,
    SamplingConfig sampling,
    int parallelRequests,
    int expectedAnswerTokens,
    int boundAnswerTokens,
    GenerationCounters counters)
{
    private readonly Dictionary<string, LLamaToken[]> _promptTokens = new(StringComparer.Ordinal);

    public async IAsyncEnumerable<PromptAnswer> GenerateAsync(IReadOnlyList<PromptRequest> requests, [EnumeratorCancellation] CancellationToken ct)
    {
        var admission = new AnswerAdmission((int)executor.Context.ContextSize, expectedAnswerTokens, boundAnswerTokens);
        var pending = new Queue<PromptRequest>(requests);
        var retries = new Queue<PromptRequest>();
        var active = new List<ActiveRequest>();
        var finished = new Dictionary<long, PromptAnswer>();
        var order = new Queue<long>(requests.Select(r => r.Sequence));
        try
        {
            while (pending.Count > 0 || retries.Count > 0 || active.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                // Cut requests go first, each alone; the others wait for it (its answer is due next in order anyway).
                while (active.Count < parallelRequests && (retries.Count > 0 || pending.Count > 0))
                {
                    bool retry = retries.Count > 0;
                    var request = retry ? retries.Peek() : pending.Peek();
                    var tokens = Tokenize(request.Prompt);
                    if (!admission.TryAdmit(tokens.Length, retry, out var reserved)) break;
                    (retry ? retries : pending).Dequeue();
                    active.Add(Start(request, tokens, reserved, retry, admission.AnswerLimit(retry)));
                    if (!retry) counters.RequestStarted(tokens.Length);
                }

                var result = await executor.Infer(ct).ConfigureAwait(false);
                counters.Decoded(active.Count);
                if (result != DecodeResult.Ok)
                    throw new PipelineException($"llama.cpp could not decode the batch ({result}){LlamaTextModel.Quote(LlamaNativeLog.Shared.Describe())}. " +
                                                "Lower parallelRequests or raise contextSize.");

                for (int i = 0; i < active.Count; i++)
                {
                    var a = active[i];
                    if (!a.Conversation.RequiresSampling) continue;
                    if (!Step(a)) continue;
                    active.RemoveAt(i--);
                    admission.Release(a.Reserved);
                    if (!a.Answer.IsComplete && a.GeneratedTokens >= a.Limit && admission.CanRetry(a.IsRetry))
                    {
                        a.Dispose();
                        retries.Enqueue(a.Request);
                        continue;
                    }
                    finished[a.Request.Sequence] = a.Finish();
                    counters.RequestCompleted();
                }

                while (order.Count > 0 && finished.Remove(order.Peek(), out var answer))
                {
                    order.Dequeue();
                    yield return answer;
                }
            }
        }
        finally
        {
            foreach (var a in active) a.Dispose();
        }
    }

    /// <summary>Samples one token; returns true when the request is done.</summary>
    private bool Step(ActiveRequest a)
    {
        var token = a.Conversation.Sample(a.Sampler);
        if (token.IsEndOfGeneration(model.Weights.Vocab)) return true;
        a.Decoder.Add(token);
        a.Answer.Append(a.Decoder.Read());
        a.GeneratedTokens++;
        counters.TokenGenerated();
        if (a.Answer.IsComplete || a.GeneratedTokens >= a.Limit) return true;
        a.Conversation.Prompt(token);
        return false;
    }

    private ActiveRequest Start(PromptRequest request, LLamaToken[] tokens, int reserved, bool retry, int limit)
    {
        var conversation = executor.Create();
        try
        {
            conversation.Prompt(tokens);
        }
        catch
        {
            conversation.Dispose();
            throw;
        }
        var sampler = new DefaultSamplingPipeline
        {
            Temperature = (float)sampling.Temperature,
            TopP = (float)sampling.TopP,
            TopK = sampling.TopK,
            MinP = 0,
            TypicalP = 1,
            RepeatPenalty = (float)sampling.RepeatPenalty,
            PenaltyCount = sampling.PenaltyWindow,
            Grammar = new Grammar(grammar, PromptArrayGrammar.RootRule),
            Seed = request.SamplerSeed,
        };
        return new ActiveRequest(request, conversation, sampler, new StreamingTokenDecoder(executor.Context), tokens.Length, reserved, retry, limit);
    }

    private LLamaToken[] Tokenize(string prompt)
    {
        if (!_promptTokens.TryGetValue(prompt, out var tokens))
            _promptTokens[prompt] = tokens = executor.Context.Tokenize(prompt, addBos: true, special: true);
        return tokens;
    }

    private sealed class ActiveRequest(
        PromptRequest request, Conversation conversation, DefaultSamplingPipeline sampler,
        StreamingTokenDecoder decoder, int promptTokens, int reserved, bool retry, int limit) : IDisposable
    {
        public PromptRequest Request { get; } = request;
        public Conversation Conversation { get; } = conversation;
        public DefaultSamplingPipeline Sampler { get; } = sampler;
        public StreamingTokenDecoder Decoder { get; } = decoder;
        public PromptArrayAnswer Answer { get; } = new();
        public int Reserved { get; } = reserved;
        public bool IsRetry { get; } = retry;
        public int Limit { get; } = limit;
        public int GeneratedTokens { get; set; }

        public PromptAnswer Finish()
        {
            Answer.Append(Decoder.Read());
            Dispose();
            var prompts = Answer.Strings(out var parsed);
            return new PromptAnswer(Request, prompts, parsed, promptTokens, GeneratedTokens, Answer.Text);
        }

        public void Dispose()
        {
            Conversation.Dispose();
            Sampler.Dispose();
        }
    }
}
