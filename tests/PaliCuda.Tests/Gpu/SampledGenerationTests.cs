using NUnit.Framework;
using PaliCuda.Backends.Gpu;
using PaliCuda.Checkpoint;
using PaliCuda.Generation;
using PaliCuda.Graph;
using PaliCuda.Model;

namespace PaliCuda.Tests.Gpu;

/// <summary>
/// Sampled generation on tiny-pg2, the token drawn inside the graph: on the CPU backend and on the emulated device,
/// reproducible per seed, the device's draws equal to the reference's on the device's own logits with the seeded u of
/// each step, and the captured decode step reading a new u every replay.
/// </summary>
public class SampledGenerationTests
{
    private const int NewTokens = 8;

    private static readonly SamplingOptions[] Settings =
    [
        new() { Temperature = 1f, Seed = 11 },
        new() { Temperature = 0.7f, TopK = 20, TopP = 0.9f, Seed = 12 },
        new() { Temperature = 1.5f, TopP = 0.8f, Seed = 13 },
    ];

    private static PaliGemmaEngine? _cpu, _emulated;
    private static PaliGemmaEngine Cpu => _cpu ??= PaliGemmaEngine.Load(TestPaths.TinyPg2);
    private static PaliGemmaEngine Emulated => _emulated ??= PaliGemmaEngine.Load(TestPaths.TinyPg2, new EngineOptions { Device = DeviceKind.Emulated });

    [OneTimeTearDown]
    public void TearDown()
    {
        _cpu?.Dispose();
        _emulated?.Dispose();
    }

    private static GenerationResult Generate(PaliGemmaEngine engine, SamplingOptions sampling, bool recordLogits = false)
    {
        var (pixels, ids, _) = TinyCase.Load();
        return engine.Generate(pixels, ids, new GenerationOptions
        {
            MaxNewTokens = NewTokens, StopTokenIds = [], Sampling = sampling, RecordStepLogits = recordLogits,
        });
    }

    [TestCaseSource(nameof(Settings))]
    public void TheSameSeedGivesTheSameTokensOnEachBackend(SamplingOptions sampling)
    {
        var cpu = Generate(Cpu, sampling).TokenIds;
        var device = Generate(Emulated, sampling).TokenIds;
        Assert.That(Generate(Cpu, sampling).TokenIds, Is.EqualTo(cpu), "CPU backend, same seed");
        Assert.That(Generate(Emulated, sampling).TokenIds, Is.EqualTo(device), "emulated device, same seed");
        Assert.That(cpu, Has.All.InRange(0, Cpu.Model.EmittableVocab - 1));
        Assert.That(device, Has.All.InRange(0, Emulated.Model.EmittableVocab - 1));
        Assert.That(Generate(Cpu, sampling with { Seed = sampling.Seed + 100 }).TokenIds, Is.Not.EqualTo(cpu), "another seed, other tokens");
    }

    /// <summary>
    /// The emulated device computes the logits in bf16, the CPU backend in fp32, so the two draw from slightly different
    /// distributions with the same u. They must agree until a step where u falls closer to a boundary of the CPU's
    /// cumulative distribution (ids in id order) than the two distributions differ there, or where the top-k / top-p
    /// cut itself sits within the logit difference; any other divergence is a bug. Distributions are computed in double
    /// (<see cref="Graph.ExactSampleDistribution"/>); the numbers are printed.
    /// </summary>
    [TestCaseSource(nameof(Settings))]
    public void TheEmulatedDeviceDrawsWhatTheCpuBackendDrawsUntilABoundaryCase(SamplingOptions sampling)
    {
        var cpu = Generate(Cpu, sampling, recordLogits: true);
        var device = Generate(Emulated, sampling, recordLogits: true);
        TestContext.Out.WriteLine($"{sampling.Parameters}, seed {sampling.Seed}: cpu [{string.Join(", ", cpu.TokenIds)}], emulated [{string.Join(", ", device.TokenIds)}]");
        var step = Enumerable.Range(0, NewTokens).FirstOrDefault(s => cpu.TokenIds[s] != device.TokenIds[s], -1);
        if (step < 0) return;

        // Same tokens before `step`, so the same context: the step's logits differ only by the backends' arithmetic.
        var limit = Cpu.Model.EmittableVocab;
        var parameters = sampling.Parameters!.Value;
        var random = new DeterministicRandom(sampling.Seed);
        var u = Enumerable.Range(0, step + 1).Select(_ => random.NextSingle()).Last();
        var zc = cpu.StepLogits![step][..limit];
        var zd = device.StepLogits![step][..limit];
        var delta = Enumerable.Range(0, limit).Max(i => Math.Abs(zc[i] - zd[i]));
        // Logits moved by ≤ δ change every ratio of two masses by a factor within e^(±2δ/T): each cumulative share by at
        // most e^(2δ/T) − 1 while the kept set stays the same.
        var shareBound = Math.Exp(2 * delta / parameters.Temperature) - 1;
        var (pc, nucleusMargin) = Graph.ExactSampleDistribution.Of(zc, parameters);
        var (pd, _) = Graph.ExactSampleDistribution.Of(zd, parameters);
        double fc = 0, fd = 0, distance = double.PositiveInfinity, sup = 0;
        for (var i = 0; i < limit; i++)
        {
            fc += pc[i];
            fd += pd[i];
            sup = Math.Max(sup, Math.Abs(fc - fd));
            if (pc[i] > 0) distance = Math.Min(distance, Math.Abs(u - fc));
        }
        var sameSet = Enumerable.Range(0, limit).All(i => pc[i] > 0 == pd[i] > 0);
        var sortedCpu = zc.Order().Reverse().ToArray();
        var kthGap = parameters.UsesTopK && parameters.TopK < limit ? sortedCpu[parameters.TopK - 1] - sortedCpu[parameters.TopK] : float.PositiveInfinity;
        TestContext.Out.WriteLine($"step {step}: cpu {cpu.TokenIds[step]}, emulated {device.TokenIds[step]}; u {u:R}; max |Δz| {delta:E3}; "
            + $"share bound e^(2δ/T)−1 = {shareBound:E3}; sup |F_cpu − F_emulated| = {sup:E3}; u to the nearest cpu boundary {distance:E3}; "
            + $"same kept set {sameSet} (nucleus margin {nucleusMargin:E3}, k-th logit gap {kthGap:E3})");
        Assert.That(distance, Is.LessThanOrEqualTo(sup + DrawQuantum), "u lay closer to a boundary than the distributions differ");
        if (sameSet) Assert.That(sup, Is.LessThanOrEqualTo(shareBound), "with one kept set, the shares moved no more than the logits allow");
        else Assert.That(Math.Min(nucleusMargin, kthGap / parameters.Temperature), Is.LessThanOrEqualTo(shareBound + 2 * delta / parameters.Temperature),
            "the kept set changed only because its cut was within the logit difference");
    }

    /// <summary>The draw's position resolution: u carries 24 bits and the masses 40 (against a total ≥ 1): 2⁻²⁴ covers both.</summary>
    private const double DrawQuantum = 1.0 / (1 << 24);

    [TestCaseSource(nameof(Settings))]
    public void EveryDeviceDrawIsTheReferenceDrawOnTheDeviceLogitsWithThatStepsU(SamplingOptions sampling)
    {
        var result = Generate(Emulated, sampling, recordLogits: true);
        var random = new DeterministicRandom(sampling.Seed);
        var u = Enumerable.Range(0, NewTokens).Select(_ => random.NextSingle()).ToArray();
        var limit = Emulated.Model.EmittableVocab;
        var parameters = sampling.Parameters!.Value;
        int Reference(int step, float uniform) => TokenSampler.Choose(result.StepLogits![step].AsSpan(0, limit), parameters, uniform).Token;
        for (var s = 0; s < NewTokens; s++) Assert.That(result.TokenIds[s], Is.EqualTo(Reference(s, u[s])), $"step {s}, u {u[s]:R}");
        // Had the captured decode step kept the first decode step's u, some later token would differ: the check above bites.
        Assert.That(Enumerable.Range(2, NewTokens - 2).Count(s => Reference(s, u[1]) != result.TokenIds[s]), Is.GreaterThan(0),
            "a baked-in u would have changed at least one token");
    }

    /// <summary>A prefill and a captured decode step recorded for sampling (no parameters: they are the controls input).</summary>
    private sealed class CapturedSampling : IDisposable
    {
        private readonly PaliGemmaCheckpoint _checkpoint;
        private readonly GpuBackend _gpu;
        private readonly WeightSet _weights;
        private readonly StateSet _state;
        private readonly Executor _prefill;

        public PaliGemmaModel Model { get; }
        public Executor Step { get; }
        public int PromptLength { get; }
        public int FirstToken { get; }

        /// <summary>Runs the prefill with <paramref name="first"/> controls; <see cref="Step"/> is then ready for its first decode.</summary>
        public CapturedSampling(GpuTarget target, int steps, float[] first)
        {
            _checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
            Model = new PaliGemmaModel(_checkpoint.Config);
            var (pixels, prompt, _) = TinyCase.Load();
            PromptLength = prompt.Length;
            var capacity = prompt.Length + steps;
            _gpu = GpuTargets.CreateBackend(target);
            _weights = new WeightSet(_gpu);
            var prefill = Model.RecordPrefill(prompt.Length, capacity, allLogits: false, sampling: true);
            var decode = Model.RecordDecode(capacity, sampling: true);
            _weights.Load(_checkpoint.Weights, prefill, decode);
            _state = new StateSet(_gpu);
            _prefill = new Executor(prefill, _weights, _state, [PaliGemmaModel.NextToken]);
            Assert.That(_gpu.LastFusion!.Fused["SoftCapSample"], Is.EqualTo(1), _gpu.LastFusion.ToString());
            _prefill.SetInput(PaliGemmaModel.PixelValues, pixels);
            _prefill.SetInput(PaliGemmaModel.InputIds, prompt);
            _prefill.SetInput(PaliGemmaModel.CachePosition, Enumerable.Range(0, prompt.Length).ToArray());
            _prefill.SetInput(PaliGemmaModel.PrefixLength, [prompt.Length]);
            _prefill.SetInput(PaliGemmaModel.SampleControls, first);
            _prefill.Run();
            FirstToken = _prefill.ReadInt(PaliGemmaModel.NextToken)[0];
            Step = new Executor(decode, _weights, _state, [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken]) { CaptureAfterFirstRun = true };
            Step.SetInput(PaliGemmaModel.PrefixLength, [prompt.Length]);
        }

        /// <summary>Decode step <paramref name="s"/> for <paramref name="token"/> with <paramref name="controls"/>: its emittable logits and token.</summary>
        public (float[] Logits, int Token) Run(int s, int token, float[] controls)
        {
            Step.SetInput(PaliGemmaModel.InputIds, [token]);
            Step.SetInput(PaliGemmaModel.CachePosition, [PromptLength + s]);
            Step.SetInput(PaliGemmaModel.SampleControls, controls);
            Step.Run();
            return (Step.ReadFloat(PaliGemmaModel.LastLogits)[..Model.EmittableVocab], Step.ReadInt(PaliGemmaModel.NextToken)[0]);
        }

        public void Dispose()
        {
            Step.Dispose();
            _prefill.Dispose();
            _state.Dispose();
            _weights.Dispose();
            _gpu.Dispose();
            _checkpoint.Dispose();
        }
    }

    [TestCase(GpuTarget.Emulated)]
    [TestCase(GpuTarget.Cuda, Category = "Gpu")]
    public void TheCapturedDecodeStepDrawsWithTheUWrittenBeforeEachReplay(GpuTarget target)
    {
        var parameters = new SampleParameters(1f, 0, 1f);
        const int steps = 6;
        using var run = new CapturedSampling(target, steps, SampleControls.Of(parameters, 0.5f));
        var token = run.FirstToken;
        // u sweeps from near 0 to near 1, so each step's token sits at the other end of the kept ids from the last one's.
        var sweep = new[] { 0.02f, 0.98f, 0.05f, 0.95f, 0.1f, 0.9f };
        var changed = 0;
        for (var s = 0; s < steps; s++)
        {
            (var logits, token) = run.Run(s, token, SampleControls.Of(parameters, sweep[s]));
            Assert.That(token, Is.EqualTo(TokenSampler.Choose(logits, parameters, sweep[s]).Token), $"step {s}, u {sweep[s]}");
            if (s > 0 && TokenSampler.Choose(logits, parameters, sweep[0]).Token != token) changed++;
        }
        Assert.That(run.Step.CapturedNodeCount, Is.Not.Null, "steps after the first were replays of the captured graph");
        Assert.That(changed, Is.EqualTo(steps - 1), "every replayed step's token depends on its own u");
    }

    /// <summary>
    /// The temperature is read at run time too: the captured decode step, replayed with T alternating between sharp and
    /// flat (u fixed), draws every step with that step's T. Had the capture kept the first step's T, the tokens of the
    /// steps with the other T would differ from the reference (counted, and required for every step whose T differs).
    /// </summary>
    [TestCase(GpuTarget.Emulated)]
    [TestCase(GpuTarget.Cuda, Category = "Gpu")]
    public void TheCapturedDecodeStepDrawsWithTheTemperatureWrittenBeforeEachReplay(GpuTarget target)
    {
        const float u = 0.9f;
        const int steps = 6;
        // Sharp (0.05: in practice the argmax) and flat (20: near-uniform, so u = 0.9 lands high in the id range).
        var temperatures = new[] { 0.05f, 20f, 0.05f, 20f, 0.05f, 20f };
        SampleParameters At(int s) => new(temperatures[s], 0, 1f);
        using var run = new CapturedSampling(target, steps, SampleControls.Of(At(0), u));
        var token = run.FirstToken;
        var bakedInWouldDiffer = 0;
        for (var s = 0; s < steps; s++)
        {
            (var logits, token) = run.Run(s, token, SampleControls.Of(At(s), u));
            Assert.That(token, Is.EqualTo(TokenSampler.Choose(logits, At(s), u).Token), $"step {s}, {At(s)}");
            if (temperatures[s] != temperatures[0] && TokenSampler.Choose(logits, At(0), u).Token != token) bakedInWouldDiffer++;
        }
        Assert.That(run.Step.CapturedNodeCount, Is.Not.Null, "steps after the first were replays of the captured graph");
        Assert.That(bakedInWouldDiffer, Is.EqualTo(temperatures.Count(t => t != temperatures[0])),
            "every step with the other temperature drew another token than the first step's temperature would have");
    }
}
