using PaliCuda.Backends;
using PaliCuda.Backends.Gpu;
using PaliCuda.Graph;
using PaliCuda.Numerics;

namespace PaliCuda.Benchmarking;

/// <summary>
/// One op at one shape set up on a backend: inputs drawn from a seeded generator (rounded to bf16 first, so every
/// backend gets the very same values), an output tensor, and <see cref="Run"/> launching the op. Made by
/// <see cref="Prepare"/>; owns its tensors.
/// </summary>
public sealed class PreparedOp : IDisposable
{
    private const float RmsEps = 1e-6f;
    private const float RopeTheta = 10000f;
    private const float GemmaAttentionSoftCap = 50f;

    private readonly List<DeviceMemory> _memory = [];
    private readonly IBackend _backend;
    private readonly Generation.DeterministicRandom _random;
    private Action _run = () => { };

    private PreparedOp(IBackend backend, OpShape shape, ulong seed)
    {
        _backend = backend;
        Shape = shape;
        _random = new Generation.DeterministicRandom(seed);
    }

    public OpShape Shape { get; }
    public DeviceTensor Output { get; private set; } = null!;

    /// <summary>Queues one run of the op (asynchronous on a GPU backend).</summary>
    public void Run() => _run();

    /// <summary>The output as floats (waits for queued work).</summary>
    public float[] ReadOutput()
    {
        var values = new float[Output.ElementCount];
        _backend.Read(Output, values);
        return values;
    }

    /// <summary>Sets <paramref name="shape"/>'s op up on <paramref name="backend"/>; the same seed gives the same inputs on every backend.</summary>
    public static PreparedOp Prepare(IBackend backend, OpShape shape, ulong seed = 20250101)
    {
        var op = new PreparedOp(backend, shape, seed);
        try
        {
            op.Build();
            return op;
        }
        catch
        {
            op.Dispose();
            throw;
        }
    }

    private void Build()
    {
        var s = Shape;
        switch (s.Op)
        {
            case KernelOps.MatMul:
            {
                int m = s["m"], n = s["n"], k = s["k"];
                var x = Input("x", [m, k], 1f);
                var w = Weight("w", [n, k], 1f / MathF.Sqrt(k));
                var y = Tensor("y", [m, n]);
                _run = () => _backend.MatMul(x, w, null, y);
                Output = y;
                break;
            }
            case KernelOps.RmsNorm:
            {
                int r = s["rows"], c = s["cols"];
                var x = Input("x", [r, c], 1f);
                var w = Weight("w", [c], 0.1f);
                var y = Tensor("y", [r, c]);
                _run = () => _backend.RmsNorm(x, w, RmsEps, y);
                Output = y;
                break;
            }
            case KernelOps.AddRmsNorm:
            {
                int r = s["rows"], c = s["cols"];
                var residual = Input("residual", [r, c], 1f);
                var branch = Input("branch", [r, c], 1f);
                var post = Weight("post", [c], 0.1f);
                var pre = Weight("pre", [c], 0.1f);
                var h = Tensor("h", [r, c]);
                var y = Tensor("y", [r, c]);
                if (_backend is GpuBackend gpu)
                {
                    _run = () => gpu.AddRmsNorm(residual, branch, post, pre, RmsEps, h, y);
                }
                else
                {
                    // The CPU reference has no fused op: the same three steps one after another.
                    var normed = Tensor("normed", [r, c]);
                    _run = () =>
                    {
                        _backend.RmsNorm(branch, post, RmsEps, normed);
                        _backend.Add(residual, normed, h);
                        _backend.RmsNorm(h, pre, RmsEps, y);
                    };
                }
                Output = y;
                break;
            }
            case KernelOps.LayerNorm:
            {
                int r = s["rows"], c = s["cols"];
                var x = Input("x", [r, c], 1f);
                var gamma = Weight("gamma", [c], 1f);
                var beta = Weight("beta", [c], 0.1f);
                var y = Tensor("y", [r, c]);
                _run = () => _backend.LayerNorm(x, gamma, beta, RmsEps, y);
                Output = y;
                break;
            }
            case KernelOps.GeGlu:
            {
                int r = s["rows"], c = s["cols"];
                var gate = Input("gate", [r, c], 2f);
                var up = Input("up", [r, c], 1f);
                var y = Tensor("y", [r, c]);
                _run = () => _backend.GeGlu(gate, up, y);
                Output = y;
                break;
            }
            case KernelOps.Rope:
            {
                int r = s["rows"], heads = s["heads"], d = s["head_dim"];
                var x = Input("x", [r, heads * d], 1f);
                var positions = Ints("positions", [.. Enumerable.Range(0, r)]);
                var y = Tensor("y", [r, heads * d]);
                _run = () => _backend.Rope(x, positions, 1, heads, d, RopeTheta, y);
                Output = y;
                break;
            }
            case KernelOps.AttentionPrefill:
            case KernelOps.AttentionDecode:
                BuildAttention(s);
                break;
            default:
                throw new ArgumentException($"no benchmark harness for op '{s.Op}'");
        }
    }

    private void BuildAttention(OpShape s)
    {
        int q = s["q"], kv = s["kv"], heads = s["heads"], kvHeads = s["kv_heads"], d = s["head_dim"];
        var decode = s.Op == KernelOps.AttentionDecode;
        var causal = decode || s.GetOrDefault("causal", 1) == 1;
        var query = Input("q", [q, heads * d], 1f);
        var y = Tensor("y", [q, heads * d]);
        Output = y;
        var scale = 1f / MathF.Sqrt(d);
        if (!causal)
        {
            var k = Input("k", [kv, kvHeads * d], 1f);
            var v = Input("v", [kv, kvHeads * d], 1f);
            var p = new AttentionParams(heads, kvHeads, d, scale, null, AttentionMaskSpec.Bidirectional, KvLayout.TokenMajor);
            _run = () => _backend.Attention(query, k, v, null, null, p, y);
            return;
        }
        var kCache = Input("k_cache", [kvHeads, kv, d], 1f);
        var vCache = Input("v_cache", [kvHeads, kv, d], 1f);
        // Prefill: every query is a prompt position. Decode: the queries are the last positions of a full cache,
        // after a prompt one shorter, so every key is visible to the last query.
        var firstPosition = decode ? kv - q : 0;
        var positions = Ints("positions", [.. Enumerable.Range(firstPosition, q)]);
        var prefix = Ints("prefix", [decode ? Math.Max(1, kv - q) : kv]);
        var mask = AttentionMaskSpec.PrefixCausal(null, Config.SlidingWindowSemantics.None);
        var pc = new AttentionParams(heads, kvHeads, d, scale, GemmaAttentionSoftCap, mask, KvLayout.HeadMajorCache);
        _run = () => _backend.Attention(query, kCache, vCache, positions, prefix, pc, y);
    }

    private DeviceTensor Tensor(string name, int[] shape, BufferDType? dtype = null)
    {
        var type = dtype ?? _backend.FloatStorage;
        var elements = shape.Aggregate(1L, (a, b) => a * b);
        var memory = _backend.Allocate(elements * type.ElementBytes(), $"{Shape.Op}.{name}");
        _memory.Add(memory);
        return new DeviceTensor(memory, 0, shape, type, name);
    }

    private DeviceTensor Input(string name, int[] shape, float scale)
    {
        var t = Tensor(name, shape);
        _backend.Write(t, Values(t.ElementCount, scale));
        return t;
    }

    private DeviceTensor Weight(string name, int[] shape, float scale)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var t = _backend.UploadWeight(name, Values(count, scale), shape);
        _memory.Add(t.Memory);
        return t;
    }

    private DeviceTensor Ints(string name, int[] values)
    {
        var t = Tensor(name, [values.Length], BufferDType.I32);
        _backend.Write(t, values);
        return t;
    }

    /// <summary>Uniform in [−scale, scale), rounded to bf16 so a bf16 backend stores them exactly.</summary>
    private float[] Values(long count, float scale)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
            values[i] = (float)(BFloat16)(float)((_random.NextDouble() * 2 - 1) * scale);
        return values;
    }

    public void Dispose()
    {
        foreach (var m in _memory.Distinct()) m.Dispose();
        _memory.Clear();
    }
}
