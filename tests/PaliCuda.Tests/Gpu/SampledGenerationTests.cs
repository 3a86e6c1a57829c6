using NUnit.Framework;
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

    [Test]
    public void TheCapturedDecodeStepDrawsWithTheUWrittenBeforeEachReplay()
    {
        using var checkpoint = PaliGemmaCheckpoint.Open(TestPaths.TinyPg2);
        var model = new PaliGemmaModel(checkpoint.Config);
        var parameters = new SampleParameters(1f, 0, 1f);
        var (pixels, prompt, _) = TinyCase.Load();
        const int steps = 6;
        var capacity = prompt.Length + steps;
        using var gpu = GpuTargets.CreateBackend(GpuTarget.Emulated);
        using var weights = new WeightSet(gpu);
        var prefill = model.RecordPrefill(prompt.Length, capacity, allLogits: false, parameters);
        var decode = model.RecordDecode(capacity, parameters);
        weights.Load(checkpoint.Weights, prefill, decode);
        using var state = new StateSet(gpu);
        using var first = new Executor(prefill, weights, state, [PaliGemmaModel.NextToken]);
        Assert.That(gpu.LastFusion!.Fused["SoftCapSample"], Is.EqualTo(1), gpu.LastFusion.ToString());
        first.SetInput(PaliGemmaModel.PixelValues, pixels);
        first.SetInput(PaliGemmaModel.InputIds, prompt);
        first.SetInput(PaliGemmaModel.CachePosition, Enumerable.Range(0, prompt.Length).ToArray());
        first.SetInput(PaliGemmaModel.PrefixLength, [prompt.Length]);
        first.SetInput(PaliGemmaModel.SampleUniform, [0.5f]);
        first.Run();
        var token = first.ReadInt(PaliGemmaModel.NextToken)[0];

        using var step = new Executor(decode, weights, state, [PaliGemmaModel.LastLogits, PaliGemmaModel.NextToken]) { CaptureAfterFirstRun = true };
        step.SetInput(PaliGemmaModel.PrefixLength, [prompt.Length]);
        // u sweeps from near 0 to near 1, so each step's token sits at the other end of the kept ids from the last one's.
        var sweep = new[] { 0.02f, 0.98f, 0.05f, 0.95f, 0.1f, 0.9f };
        var changed = 0;
        for (var s = 0; s < steps; s++)
        {
            step.SetInput(PaliGemmaModel.InputIds, [token]);
            step.SetInput(PaliGemmaModel.CachePosition, [prompt.Length + s]);
            step.SetInput(PaliGemmaModel.SampleUniform, [sweep[s]]);
            step.Run();
            var logits = step.ReadFloat(PaliGemmaModel.LastLogits).AsSpan(0, model.EmittableVocab);
            token = step.ReadInt(PaliGemmaModel.NextToken)[0];
            Assert.That(token, Is.EqualTo(TokenSampler.Choose(logits, parameters, sweep[s]).Token), $"step {s}, u {sweep[s]}");
            if (s > 0 && TokenSampler.Choose(logits, parameters, sweep[0]).Token != token) changed++;
        }
        Assert.That(step.CapturedNodeCount, Is.Not.Null, "steps after the first were replays of the captured graph");
        Assert.That(changed, Is.EqualTo(steps - 1), "every replayed step's token depends on its own u");
    }
}
