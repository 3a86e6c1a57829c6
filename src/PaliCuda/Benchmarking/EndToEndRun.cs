using System.Diagnostics;
using PaliCuda.Backends.Gpu;
using PaliCuda.Config;
using PaliCuda.Generation;
using PaliCuda.Graph;
using PaliCuda.Imaging;
using PaliCuda.Model;
using PaliCuda.Quantization;

namespace PaliCuda.Benchmarking;

/// <summary>
/// A whole PaliGemma model with random weights (<see cref="RandomWeightStore"/>) on a benchmark target, batch 1:
/// <see cref="TimeToFirstToken"/> preprocesses a fixed random image and runs the prefill graph (SigLIP, projector,
/// decoder prefill, first token); <see cref="DecodeStep"/> runs one decode step. The KV cache holds the prompt plus
/// <c>decodeTokens</c>; steps beyond that start over at the first decode position (timing is unchanged by the values).
/// With a quantization plan the weights are packed at load (a backend that runs packed formats stores them packed;
/// others get the float32 reconstruction); with <c>allLogits</c> the prefill keeps every position's logits for
/// <see cref="PrefillTop1"/>. The run does what a reused engine generation slot does, so the suites measure the engine's
/// steady state: the prompt is padded to the engine's default shape class (<see cref="EngineOptions.PrefillBucketTokens"/>;
/// 264 → 272 ids for the 224-px models) and both graphs are captured after their first run and replayed where the
/// backend can (CUDA and the emulator; the CPU reference issues op by op). With <c>allLogits</c> the prefill is the
/// engine's verification forward instead: exact length, every row's logits.
/// </summary>
public sealed class EndToEndRun : IDisposable
{
    private readonly BenchmarkTarget _target;
    private readonly WeightSet _weights;
    private readonly StateSet _state;
    private readonly Executor _prefill;
    private readonly Executor _decode;
    private readonly RgbImage _image;
    private readonly SiglipImageProcessor _processor;
    private readonly int[] _inputIds;
    private readonly int _decodeTokens;
    private readonly ComputeGraph _decodeGraph;
    private readonly int _emittable;
    private readonly bool _allLogits;
    private int _step;
    private int _lastToken;

    public EndToEndRun(BenchmarkTarget target, PaliGemmaConfig config, int decodeTokens = 32, ulong seed = 20250101,
        QuantizationPlan? weights = null, bool allLogits = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(decodeTokens, 1);
        _target = target;
        Config = config;
        _decodeTokens = decodeTokens;
        _allLogits = allLogits;
        PromptLength = BenchmarkModels.PromptLength(config);
        // The engine's shape class for this prompt (GenerationSlotKey), without its KV rounding: the cache size does not
        // change a step's work, which reads keys up to its own position only.
        PromptCapacity = allLogits ? PromptLength
            : GenerationSlotKey.For(PromptLength, decodeTokens, int.MaxValue, EngineOptions.DefaultPrefillBucketTokens, 1).PromptCapacity;
        var capacity = Math.Max(PromptCapacity, PromptLength + decodeTokens);
        var model = new PaliGemmaModel(config);
        var prefillGraph = model.RecordPrefill(PromptCapacity, capacity, allLogits);
        var decodeGraph = _decodeGraph = model.RecordDecode(capacity);
        _emittable = model.EmittableVocab;
        _weights = new WeightSet(target.Backend);
        _state = new StateSet(target.Backend);
        try
        {
            using (var store = new RandomWeightStore(config, seed))
            {
                if (weights is { QuantizesAnything: true } plan && !target.Backend.AcceptQuantizationPlan(plan))
                {
                    using var reconstructed = new QuantizedReferenceStore(store, plan, ownsInner: false);
                    _weights.Load(reconstructed, prefillGraph, decodeGraph);
                }
                else _weights.Load(store, prefillGraph, decodeGraph);
            }
            string[] outputs = [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken];
            _prefill = new Executor(prefillGraph, _weights, _state, allLogits ? [.. outputs, AllLogits] : outputs) { CaptureAfterFirstRun = true };
            _decode = new Executor(decodeGraph, _weights, _state, outputs) { CaptureAfterFirstRun = true };
        }
        catch
        {
            _weights.Dispose();
            _state.Dispose();
            throw;
        }
        var random = new Generation.DeterministicRandom(seed);
        const int width = 640, height = 480;
        var pixels = new byte[width * height * RgbImage.Channels];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)(random.NextUInt64() >> 56);
        _image = new RgbImage(width, height, pixels);
        _processor = new SiglipImageProcessor(config.Vision.ImageSize);
        var emittable = Math.Min(config.Text.VocabSize, config.ImageTokenIndex);
        _inputIds =
        [
            .. Enumerable.Repeat(config.ImageTokenIndex, config.NumImageTokens),
            config.BosTokenId,
            .. Enumerable.Range(0, BenchmarkModels.PromptTextTokens - 2).Select(_ => 3 + (int)(random.NextUInt64() % (ulong)(emittable - 3))),
            Math.Min(108, emittable - 1),
            .. Enumerable.Repeat(config.PadTokenId, PromptCapacity - PromptLength),
        ];
        _decode.SetInput(PaliGemmaModel.PrefixLength, [PromptLength]);
    }

    public PaliGemmaConfig Config { get; }
    /// <summary>The prompt's ids: image tokens and text.</summary>
    public int PromptLength { get; }
    /// <summary>Rows the prefill graph runs: the prompt padded to its shape class (the prompt itself with <c>allLogits</c>).</summary>
    public int PromptCapacity { get; }
    public long WeightBytes => _weights.TotalBytes;

    /// <summary>The prefill tap holding every position's capped logits (with <c>allLogits</c>).</summary>
    public const string AllLogits = "logits";

    /// <summary>Device bytes of the weights one decode step reads (packed data and scales where packed), each once.</summary>
    public long DecodeWeightBytes => _decodeGraph.OfKind(BufferKind.Weight).DistinctBy(d => d.Name).Sum(d => _weights.Get(d).StoredBytes);

    /// <summary>After <see cref="TimeToFirstToken"/> of a run made with <c>allLogits</c>: each prompt position's greedy id.</summary>
    public int[] PrefillTop1()
    {
        var logits = _prefill.ReadFloat(AllLogits);
        var vocab = Config.Text.VocabSize;
        var top = new int[PromptLength];
        for (var r = 0; r < PromptLength; r++)
        {
            var row = logits.AsSpan(r * vocab, _emittable);
            var best = 0;
            for (var i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
            top[r] = best;
        }
        return top;
    }
    /// <summary>Peak device memory since the target was made (weights, KV cache, activations, workspaces); null on the CPU.</summary>
    public long? PeakDeviceBytes => _target.Memory?.PeakBytes;

    public EndToEndTiming TimeToFirstToken()
    {
        var wall = Stopwatch.StartNew();
        var pixels = _processor.Preprocess(_image).Data;
        var preprocessMs = wall.Elapsed.TotalMilliseconds;
        _prefill.SetInput(PaliGemmaModel.PixelValues, pixels);
        _prefill.SetInput(PaliGemmaModel.InputIds, _inputIds);
        _prefill.SetInput(PaliGemmaModel.CachePosition, Enumerable.Range(0, PromptCapacity).ToArray());
        _prefill.SetInput(PaliGemmaModel.PrefixLength, [PromptLength]);
        if (!_allLogits) _prefill.SetInput(PaliGemmaModel.PromptLength, [PromptLength]);
        var deviceMs = Timed(() => _prefill.Run());
        _lastToken = _prefill.ReadInt(PaliGemmaModel.NextToken)[0];
        _step = 0;
        return new EndToEndTiming(wall.Elapsed.TotalMilliseconds, deviceMs, preprocessMs, _lastToken);
    }

    public EndToEndTiming DecodeStep()
    {
        var wall = Stopwatch.StartNew();
        if (_step >= _decodeTokens) _step = 0;
        _decode.SetInput(PaliGemmaModel.InputIds, [_lastToken]);
        _decode.SetInput(PaliGemmaModel.CachePosition, [PromptLength + _step]);
        var deviceMs = Timed(() => _decode.Run());
        _lastToken = _decode.ReadInt(PaliGemmaModel.NextToken)[0];
        _step++;
        return new EndToEndTiming(wall.Elapsed.TotalMilliseconds, deviceMs, 0, _lastToken);
    }

    private double Timed(Action work)
    {
        if (_target.Backend is not GpuBackend gpu)
        {
            var clock = Stopwatch.StartNew();
            work();
            return clock.Elapsed.TotalMilliseconds;
        }
        using var start = gpu.Device.CreateEvent();
        using var stop = gpu.Device.CreateEvent();
        gpu.Device.RecordEvent(start);
        work();
        gpu.Device.RecordEvent(stop);
        stop.Synchronize();
        return stop.ElapsedMillisecondsSince(start);
    }

    public void Dispose()
    {
        _prefill.Dispose();
        _decode.Dispose();
        _state.Dispose();
        _weights.Dispose();
    }
}
