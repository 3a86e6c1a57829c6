using System.Diagnostics;
using System.Runtime.CompilerServices;
using PaliCuda.Backends;
using PaliCuda.Checkpoint;
using PaliCuda.Config;
using PaliCuda.Graph;
using PaliCuda.Model;
using PaliCuda.Quantization;

namespace PaliCuda.Generation;

/// <summary>
/// The public entry point: a PaliGemma model with its weights on one backend. Inputs are preprocessed pixel values
/// [3, S, S] (row-major, channel first) and prompt ids that already contain the NumImageTokens image tokens.
/// </summary>
/// <remarks>
/// <para><b>Concurrency.</b> One engine may be shared by any number of threads. Work on its backend is serialised:
/// each model step (a prefill, one decode step, a verification forward) and each allocation or release of a
/// generation's KV cache holds the engine for its duration, and callers queue for it in turn. Generations started from
/// several threads therefore interleave step by step, each with its own KV cache, and give exactly the tokens they
/// would give alone. A caller waiting for the engine can cancel the wait with its <see cref="CancellationToken"/>.</para>
/// <para><b>Memory and graphs.</b> A generation runs in a slot of its shape class (<see cref="EngineOptions.PrefillBucketTokens"/>,
/// <see cref="EngineOptions.KvCapacityBucketTokens"/>): a KV cache and the prefill and decode graphs, each captured after
/// its first run where the device can. When a generation ends cleanly (finished, or disposed between steps) its slot is
/// kept for the next generation of the class, which allocates nothing and replays both graphs; one that a step failed
/// in is freed. At most <see cref="EngineOptions.MaxIdleGenerationSlots"/> are kept (<see cref="GenerationSlots"/> counts
/// them); when a new slot does not fit in device memory the idle ones are freed and it is tried once more. Disposing the
/// engine frees the idle slots; a generator disposed later frees its own.</para>
/// <para><b>Errors.</b> Bad input (<see cref="PaliCudaInputException"/>) is rejected before any device work; a failed or
/// cancelled call releases what it allocated, and the engine stays usable for the next call.</para>
/// </remarks>
public sealed class PaliGemmaEngine : IDisposable
{
    private readonly WeightSet _weights;
    // Serialises backend work (see the remarks). Never disposed: generators may still release it after the engine is
    // disposed, and a SemaphoreSlim whose wait handle is never asked for holds no native resource.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly GenerationSlotPool _slots;
    private bool _disposed;

    public PaliGemmaConfig Config { get; }
    public PaliGemmaModel Model { get; }
    public EngineOptions Options { get; }
    public IBackend Backend { get; }
    /// <summary>Ids that end generation by default (generation_config eos ids, else config eos).</summary>
    public IReadOnlyList<int> EosTokenIds { get; }
    public long WeightBytes => _weights.TotalBytes;
    /// <summary>The pool of generation slots (see the remarks on memory): what it holds idle and how often it was reused.</summary>
    public GenerationSlotCounters GenerationSlots => _slots.Counters;

    private PaliGemmaEngine(PaliGemmaConfig config, ITensorStore weights, EngineOptions options, IReadOnlyList<int> eosTokenIds,
        QuantizationPlan? storedPlan = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PrefillBucketTokens, 1, nameof(options.PrefillBucketTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.KvCapacityBucketTokens, 1, nameof(options.KvCapacityBucketTokens));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxIdleGenerationSlots, nameof(options.MaxIdleGenerationSlots));
        _slots = new GenerationSlotPool(options.MaxIdleGenerationSlots);
        // Resolve first: it refuses a plan that contradicts the checkpoint's stored one.
        var reconstructed = QuantizedReference.Resolve(weights, storedPlan, options.Weights);
        Config = config;
        Options = options;
        EosTokenIds = eosTokenIds;
        Model = new PaliGemmaModel(config, options.WindowSemantics, options.NormalizerDType);
        Backend = BackendFactory.Create(options.Device, options.Gpu);
        // A backend that runs packed formats (the GPU) takes the plan and the stored weights and packs them itself;
        // any other gets the float32 reconstruction of the same values.
        var plan = storedPlan ?? (weights as QuantizedTensorStore)?.Plan ?? options.Weights;
        if (!(plan is { QuantizesAnything: true } && Backend.AcceptQuantizationPlan(plan))) weights = reconstructed;
        _weights = new WeightSet(Backend);
        try
        {
            // A prefill graph with every output declares every weight the model uses.
            _weights.Load(weights, options.LoadProgress, Model.RecordPrefill(config.NumImageTokens + 1, config.NumImageTokens + 1, allLogits: true));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Opens a HF-layout checkpoint folder and places its weights on the device.</summary>
    public static PaliGemmaEngine Load(string checkpointDirectory, EngineOptions? options = null)
    {
        options ??= new EngineOptions();
        using var checkpoint = PaliGemmaCheckpoint.Open(checkpointDirectory, options.Limits.Safetensors);
        var eos = checkpoint.GenerationConfig is { EosTokenIds.Count: > 0 } gc ? gc.EosTokenIds : [checkpoint.Config.EosTokenId];
        return new PaliGemmaEngine(checkpoint.Config, checkpoint.Weights, options, eos, checkpoint.Quantization?.Plan);
    }

    /// <summary>From a config and a tensor store with canonical names; the store may be disposed afterwards.</summary>
    public static PaliGemmaEngine Create(PaliGemmaConfig config, ITensorStore weights, EngineOptions? options = null, IReadOnlyList<int>? eosTokenIds = null) =>
        new(config, weights, options ?? new EngineOptions(), eosTokenIds ?? [config.EosTokenId]);

    /// <summary>
    /// One full-prompt forward with every row's logits, for verification. <paramref name="taps"/> are buffer names
    /// (fixture names: "vision_hidden_states.0", "inputs_embeds", "hidden_states.3", "logits", ...).
    /// </summary>
    public PrefillResult RunPrefill(float[] pixelValues, IReadOnlyList<int> inputIds, IEnumerable<string>? taps = null, CancellationToken cancellationToken = default)
    {
        ValidateInputs(pixelValues, inputIds, 0);
        var tapList = (taps ?? []).Distinct().ToList();
        var graph = Model.RecordPrefill(inputIds.Count, inputIds.Count, allLogits: true);
        using var hold = Hold(cancellationToken);
        using var state = new StateSet(Backend);
        using var exec = new Executor(graph, _weights, state, [.. tapList, PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken]);
        exec.SetInput(PaliGemmaModel.PixelValues, pixelValues);
        exec.SetInput(PaliGemmaModel.InputIds, inputIds.ToArray());
        exec.SetInput(PaliGemmaModel.CachePosition, Enumerable.Range(0, inputIds.Count).ToArray());
        exec.SetInput(PaliGemmaModel.PrefixLength, [inputIds.Count]);
        var clock = Stopwatch.StartNew();
        exec.Run(cancellationToken);
        Backend.Synchronize();
        clock.Stop();
        var tapValues = tapList.ToDictionary(t => t, exec.ReadFloat);
        return new PrefillResult(tapValues, exec.ReadFloat(PaliGemmaModel.LastLogits), exec.ReadInt(PaliGemmaModel.NextToken)[0],
            exec.PeakActivationBytes, clock.Elapsed);
    }

    /// <summary>Starts a generation to be driven token by token with <see cref="Generator.Next"/>.</summary>
    public Generator StartGeneration(float[] pixelValues, IReadOnlyList<int> inputIds, GenerationOptions? options = null)
    {
        options ??= new GenerationOptions();
        if (options.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxNewTokens, "MaxNewTokens must be ≥ 0");
        options.Sampling.Validate();
        // The sampler's own check (e.g. a finite temperature), before a slot is leased: the graph no longer sees the
        // parameters when it is recorded, they are written to its controls input every step.
        options.Sampling.Parameters?.Validate();
        ValidateInputs(pixelValues, inputIds, options.MaxNewTokens);
        var limit = Options.MaxTotalTokens ?? Config.Text.MaxPositionEmbeddings;
        // A pad id that is the image token would change the image-token count: then every length is its own class.
        var bucket = Config.PadTokenId == Config.ImageTokenIndex ? 1 : Options.PrefillBucketTokens;
        var key = GenerationSlotKey.For(inputIds.Count, options.MaxNewTokens, limit, bucket, Options.KvCapacityBucketTokens, options.Sampling.Parameters is not null);
        using var hold = Hold(CancellationToken.None);
        var slot = _slots.Lease(key, k => GenerationSlot.Build(Model, _weights, k));
        try
        {
            return new Generator(slot, _slots, _gate, pixelValues, inputIds, Config.PadTokenId, options, options.StopTokenIds ?? EosTokenIds);
        }
        catch
        {
            slot.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the engine (see the remarks on concurrency); disposing the result lets the next caller in.</summary>
    private EngineHold Hold(CancellationToken cancellationToken)
    {
        _gate.Wait(cancellationToken);
        if (_disposed)
        {
            _gate.Release();
            throw new ObjectDisposedException(nameof(PaliGemmaEngine));
        }
        return new EngineHold(_gate);
    }

    /// <summary>Prefill then decode until a stop id or MaxNewTokens; <paramref name="onToken"/> sees each token as it is made.</summary>
    public GenerationResult Generate(float[] pixelValues, IReadOnlyList<int> inputIds, GenerationOptions? options = null,
        Action<GeneratedToken>? onToken = null, CancellationToken cancellationToken = default)
    {
        using var generator = StartGeneration(pixelValues, inputIds, options);
        while (generator.Next(cancellationToken) is { } token) onToken?.Invoke(token);
        return generator.ToResult();
    }

    /// <summary>Streams tokens as they are generated; each step runs on the thread pool.</summary>
    public async IAsyncEnumerable<GeneratedToken> GenerateStreamingAsync(float[] pixelValues, IReadOnlyList<int> inputIds,
        GenerationOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var generator = StartGeneration(pixelValues, inputIds, options);
        while (await Task.Run(() => generator.Next(cancellationToken), cancellationToken).ConfigureAwait(false) is { } token)
            yield return token;
    }

    private void ValidateInputs(float[] pixelValues, IReadOnlyList<int> inputIds, int maxNewTokens)
    {
        ArgumentNullException.ThrowIfNull(pixelValues);
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.Count == 0)
            throw new ModelInputException("the prompt holds no input ids");
        var v = Config.Vision;
        var pixelCount = v.NumChannels * v.ImageSize * v.ImageSize;
        if (pixelValues.Length != pixelCount)
            throw new ModelInputException($"pixel values hold {pixelValues.Length} floats; the model needs [{v.NumChannels}, {v.ImageSize}, {v.ImageSize}] = {pixelCount}");
        var imageTokens = 0;
        for (var i = 0; i < inputIds.Count; i++)
        {
            if ((uint)inputIds[i] >= (uint)Config.Text.VocabSize)
                throw new ModelInputException($"input id {inputIds[i]} at position {i} is outside the vocabulary (size {Config.Text.VocabSize})");
            if (inputIds[i] == Config.ImageTokenIndex) imageTokens++;
        }
        if (imageTokens != Config.NumImageTokens)
            throw new ModelInputException($"the prompt holds {imageTokens} image tokens (id {Config.ImageTokenIndex}); the model needs exactly {Config.NumImageTokens}");
        var limit = Options.MaxTotalTokens ?? Config.Text.MaxPositionEmbeddings;
        // long: a caller's int.MaxValue must not wrap around into a small capacity.
        if ((long)inputIds.Count + maxNewTokens > limit)
            throw new ModelInputException($"prompt ({inputIds.Count}) + max new tokens ({maxNewTokens}) exceeds the limit of {limit} tokens");
    }

    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            _slots.Dispose();
            _weights.Dispose();
            Backend.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}
