using System.Diagnostics;
using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Generation;

/// <summary>
/// One generation: prefill, then the decode graph once per token with the token id and cache position as inputs.
/// <see cref="Next"/> produces one token per call. It runs in a <see cref="GenerationSlot"/> (KV cache, prefill and
/// decode executors of its shape class) leased from the engine's pool; <see cref="Dispose"/> gives the slot back for the
/// next generation of the class when this one ended cleanly, and frees it when a step threw (its state is unknown).
/// </summary>
public sealed class Generator : IDisposable
{
    private readonly GenerationOptions _options;
    private readonly GenerationSlot _slot;
    private readonly GenerationSlotPool _pool;
    private readonly Executor _prefill;
    private readonly Executor _decode;
    // Sampling only: the per-step uniform values and the generation's T / top-k / top-p, written together as the
    // controls input before every step (the device draws the token).
    private readonly DeterministicRandom? _uniform;
    private readonly SampleParameters _sampling;
    private readonly float[] _controls = new float[SampleControls.Width];
    private readonly HashSet<int> _stopIds;
    private readonly int _promptLength;
    private readonly List<int> _tokens = [];
    private readonly List<float[]>? _stepLogits;
    private readonly Stopwatch _prefillClock = new();
    private readonly Stopwatch _decodeClock = new();
    // The engine's gate: every step and the return or release of the slot run while holding it (see PaliGemmaEngine).
    private readonly SemaphoreSlim _gate;
    private int _lastToken;
    private bool _disposed;
    // Set when a step threw (cancellation included): the KV cache may be half written, so the generation is over.
    private bool _broken;

    public FinishReason? FinishReason { get; private set; }
    public IReadOnlyList<int> Tokens => _tokens;

    /// <summary>
    /// Called by the engine while it holds <paramref name="gate"/>; writes this generation's inputs into
    /// <paramref name="slot"/>, whose graphs were recorded for <paramref name="inputIds"/>' shape class.
    /// </summary>
    internal Generator(GenerationSlot slot, GenerationSlotPool pool, SemaphoreSlim gate, float[] pixelValues,
        IReadOnlyList<int> inputIds, int padId, GenerationOptions options, IReadOnlyCollection<int> stopIds)
    {
        _slot = slot;
        _pool = pool;
        _gate = gate;
        _options = options;
        // The slot's graphs end in the sampler (its key says so), which reads the parameters from the controls, or in the
        // argmax. The engine validated the parameters before leasing the slot.
        if (slot.Key.DeviceSampling)
        {
            _sampling = options.Sampling.Parameters
                ?? throw new ArgumentException("a sampling slot was leased for greedy options", nameof(options));
            _uniform = new DeterministicRandom(options.Sampling.Seed);
        }
        _stopIds = [.. stopIds];
        _promptLength = inputIds.Count;
        _stepLogits = options.RecordStepLogits ? [] : null;
        var promptCapacity = slot.Key.PromptCapacity;
        // The prompt padded to its class (why that changes nothing: PaliGemmaModel.RecordPrefill).
        var ids = new int[promptCapacity];
        for (var i = 0; i < ids.Length; i++) ids[i] = i < _promptLength ? inputIds[i] : padId;
        _prefill = slot.Prefill;
        _prefill.SetInput(PaliGemmaModel.PixelValues, pixelValues);
        _prefill.SetInput(PaliGemmaModel.InputIds, ids);
        _prefill.SetInput(PaliGemmaModel.CachePosition, Enumerable.Range(0, promptCapacity).ToArray());
        _prefill.SetInput(PaliGemmaModel.PrefixLength, [_promptLength]);
        _prefill.SetInput(PaliGemmaModel.PromptLength, [_promptLength]);
        _decode = slot.Decode;
        _decode.SetInput(PaliGemmaModel.PrefixLength, [_promptLength]);
        if (options.MaxNewTokens == 0) FinishReason = Generation.FinishReason.MaxTokens;
    }

    public TimeSpan PrefillTime => _prefillClock.Elapsed;
    public TimeSpan DecodeTime => _decodeClock.Elapsed;
    public IReadOnlyList<float[]>? StepLogits => _stepLogits;
    /// <summary>The slot this generation runs in (tests look at its executors).</summary>
    internal GenerationSlot Slot => _slot;

    /// <summary>
    /// The next token, or null once generation has finished. Cancellation is checked before each graph operation, so
    /// a cancelled step ends within one operation with <see cref="OperationCanceledException"/>; the tokens made so far
    /// stay in <see cref="Tokens"/>, but the generation cannot continue (its KV cache may be half written).
    /// </summary>
    public GeneratedToken? Next(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (FinishReason is not null) return null;
        cancellationToken.ThrowIfCancellationRequested();
        if (_broken)
            throw new InvalidOperationException("this generation was interrupted by cancellation or an error and cannot continue; start a new one");
        _gate.Wait(cancellationToken);
        try
        {
            return Step(cancellationToken);
        }
        catch
        {
            _broken = true;
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    private GeneratedToken Step(CancellationToken cancellationToken)
    {
        var step = _tokens.Count;
        Executor run;
        if (step == 0)
        {
            _prefillClock.Start();
            SetControls(_prefill);
            _prefill.Run(cancellationToken);
            _prefillClock.Stop();
            run = _prefill;
        }
        else
        {
            _decodeClock.Start();
            _decode.SetInput(PaliGemmaModel.InputIds, [_lastToken]);
            _decode.SetInput(PaliGemmaModel.CachePosition, [_promptLength + step - 1]);
            SetControls(_decode);
            _decode.Run(cancellationToken);
            _decodeClock.Stop();
            run = _decode;
        }

        // The graph chose the token (argmax or draw) on the device: 4 bytes cross, the logits only when recorded.
        _stepLogits?.Add(run.ReadFloat(PaliGemmaModel.LastLogits));
        var token = run.ReadInt(PaliGemmaModel.NextToken)[0];

        _tokens.Add(token);
        _lastToken = token;
        var isStop = _stopIds.Contains(token);
        if (isStop) FinishReason = Generation.FinishReason.StopToken;
        else if (_tokens.Count >= _options.MaxNewTokens) FinishReason = Generation.FinishReason.MaxTokens;
        return new GeneratedToken(step, token, isStop);
    }

    /// <summary>
    /// Sampling: this step's controls, u drawn from the seeded stream whether the step is the prefill or a decode, T /
    /// top-k / top-p this generation's (validated when it started). Written every step because the slot's previous
    /// generation, or the other graph of this one, may have left other values in the input.
    /// </summary>
    private void SetControls(Executor run)
    {
        if (_uniform is not { } random) return;
        SampleControls.Write(_controls, _sampling, random.NextSingle());
        run.SetInput(PaliGemmaModel.SampleControls, _controls);
    }

    public GenerationResult ToResult() =>
        new([.. _tokens], FinishReason ?? throw new InvalidOperationException("generation has not finished"),
            _stepLogits, PrefillTime, DecodeTime);

    public void Dispose()
    {
        if (_disposed) return;
        _gate.Wait();
        try
        {
            if (_disposed) return;
            _disposed = true;
            if (_broken) _slot.Dispose();
            else _pool.Return(_slot);
        }
        finally
        {
            _gate.Release();
        }
    }
}
