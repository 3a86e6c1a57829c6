using System.Diagnostics;
using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Generation;

/// <summary>
/// One generation: a KV cache sized prompt + MaxNewTokens, the prefill graph, and the decode graph reused for every
/// step with the token id and cache position as inputs. <see cref="Next"/> produces one token per call.
/// </summary>
public sealed class Generator : IDisposable
{
    private readonly PaliGemmaModel _model;
    private readonly GenerationOptions _options;
    private readonly StateSet _state;
    private readonly Executor _prefill;
    private readonly Executor? _decode;
    // Sampling only: the per-step uniform values, written as a graph input (the device draws the token).
    private readonly DeterministicRandom? _uniform;
    private readonly HashSet<int> _stopIds;
    private readonly int _promptLength;
    private readonly List<int> _tokens = [];
    private readonly List<float[]>? _stepLogits;
    private readonly Stopwatch _prefillClock = new();
    private readonly Stopwatch _decodeClock = new();
    // The engine's gate: every step and the release of the KV cache run while holding it (see PaliGemmaEngine).
    private readonly SemaphoreSlim _gate;
    private int _lastToken;
    private bool _disposed;
    // Set when a step threw (cancellation included): the KV cache may be half written, so the generation is over.
    private bool _broken;

    public FinishReason? FinishReason { get; private set; }
    public IReadOnlyList<int> Tokens => _tokens;

    /// <summary>Called by the engine while it holds <paramref name="gate"/>.</summary>
    internal Generator(PaliGemmaModel model, WeightSet weights, SemaphoreSlim gate, float[] pixelValues, IReadOnlyList<int> inputIds,
        GenerationOptions options, IReadOnlyCollection<int> stopIds)
    {
        _model = model;
        _gate = gate;
        _options = options;
        options.Sampling.Validate();
        var sampling = options.Sampling.Parameters;
        _uniform = sampling is null ? null : new DeterministicRandom(options.Sampling.Seed);
        _stopIds = [.. stopIds];
        _promptLength = inputIds.Count;
        _stepLogits = options.RecordStepLogits ? [] : null;
        var capacity = _promptLength + Math.Max(1, options.MaxNewTokens);
        _state = new StateSet(weights.Backend);
        _prefill = new Executor(model.RecordPrefill(_promptLength, capacity, allLogits: false, sampling), weights, _state,
            [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken]);
        _prefill.SetInput(PaliGemmaModel.PixelValues, pixelValues);
        _prefill.SetInput(PaliGemmaModel.InputIds, inputIds.ToArray());
        _prefill.SetInput(PaliGemmaModel.CachePosition, Enumerable.Range(0, _promptLength).ToArray());
        _prefill.SetInput(PaliGemmaModel.PrefixLength, [_promptLength]);
        if (options.MaxNewTokens > 1)
        {
            // Every decode step runs the same graph: captured after the first step and replayed (where the backend can).
            _decode = new Executor(model.RecordDecode(capacity, sampling), weights, _state, [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken])
            {
                CaptureAfterFirstRun = true,
            };
            _decode.SetInput(PaliGemmaModel.PrefixLength, [_promptLength]);
        }
        if (options.MaxNewTokens == 0) FinishReason = Generation.FinishReason.MaxTokens;
    }

    public TimeSpan PrefillTime => _prefillClock.Elapsed;
    public TimeSpan DecodeTime => _decodeClock.Elapsed;
    public IReadOnlyList<float[]>? StepLogits => _stepLogits;

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
            SetUniform(_prefill);
            _prefill.Run(cancellationToken);
            _prefillClock.Stop();
            run = _prefill;
        }
        else
        {
            _decodeClock.Start();
            _decode!.SetInput(PaliGemmaModel.InputIds, [_lastToken]);
            _decode.SetInput(PaliGemmaModel.CachePosition, [_promptLength + step - 1]);
            SetUniform(_decode);
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

    /// <summary>Sampling: this step's u, drawn from the seeded stream whether the step is the prefill or a decode.</summary>
    private void SetUniform(Executor run)
    {
        if (_uniform is { } random) run.SetInput(PaliGemmaModel.SampleUniform, [random.NextSingle()]);
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
            _disposed = true;
            _prefill.Dispose();
            _decode?.Dispose();
            _state.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }
}
