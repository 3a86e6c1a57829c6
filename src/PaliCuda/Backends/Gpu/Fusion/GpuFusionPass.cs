using PaliCuda.Graph;
using PaliCuda.Graph.Ops;

namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>
/// Rewrites a recorded graph for the GPU backend: op sequences that one kernel (or one GEMM) can do are replaced by
/// fused ops. A sequence is fused only when its intermediates are read by nothing else and are not kept alive
/// (taps, outputs); buffers it makes unnecessary are left unwritten. Patterns:
/// <list type="bullet">
/// <item>RmsNorm → Add → RmsNorm (Gemma 2 sandwich norm + next pre-norm) → <see cref="AddRmsNormOp"/>.</item>
/// <item>MatMul with bias → GeluTanh (SigLIP fc1) → bias-free MatMul + <see cref="BiasGeluOp"/>.</item>
/// <item>MatMul gate, MatMul up → GeGlu → one MatMul with the gate|up weight + <see cref="GeGluFusedOp"/>.</item>
/// <item>MatMul q, k, v → Rope q, Rope k → KvCacheWrite k, v → one MatMul with the q|k|v weight + <see cref="QkvRopeCacheOp"/>.</item>
/// <item>SoftCap → ArgMax → <see cref="SoftCapArgMaxOp"/>.</item>
/// <item>SoftCap → Sample → <see cref="SoftCapSampleOp"/>.</item>
/// </list>
/// The concatenated weights are views: the weight arena holds q, k, v (and gate, up) back to back, so the fused
/// weight costs no memory; when they are not adjacent the pattern is skipped and the report says so.
/// </summary>
public sealed class GpuFusionPass
{
    private readonly ComputeGraph _graph;
    private readonly IReadOnlySet<BufferId> _keep;
    private readonly WeightSet _weights;
    private readonly List<BufferDesc> _buffers;
    private readonly GraphOp?[] _ops;
    private readonly Dictionary<BufferId, List<int>> _readers = [];
    private readonly Dictionary<string, int> _fused = new(StringComparer.Ordinal);
    private readonly List<string> _skipped = [];

    private GpuFusionPass(ComputeGraph graph, IReadOnlySet<BufferId> keep, WeightSet weights)
    {
        _graph = graph;
        _keep = keep;
        _weights = weights;
        _buffers = [.. graph.Buffers];
        _ops = [.. graph.Ops];
        for (var i = 0; i < _ops.Length; i++)
            foreach (var b in _ops[i]!.Inputs)
            {
                if (!_readers.TryGetValue(b, out var list)) _readers[b] = list = [];
                list.Add(i);
            }
    }

    /// <summary>The fused graph (same buffer ids and names, extra buffers appended) and what was fused.</summary>
    public static (ComputeGraph Graph, FusionReport Report) Apply(ComputeGraph graph, IReadOnlySet<BufferId> keepAlive, WeightSet weights)
    {
        var pass = new GpuFusionPass(graph, keepAlive, weights);
        pass.Run();
        var ops = pass._ops.Where(o => o is not null).Select(o => o!).ToList();
        var fused = new ComputeGraph(pass._buffers, ops, graph.Names);
        return (fused, new FusionReport(pass._fused, pass._skipped, graph.Ops.Count, ops.Count));
    }

    private void Run()
    {
        for (var i = 0; i < _ops.Length; i++)
        {
            switch (_ops[i])
            {
                case SoftCapOp s: if (!FuseSoftCapArgMax(i, s)) FuseSoftCapSample(i, s); break;
                case RmsNormOp r: FuseAddRmsNorm(i, r); break;
                case MatMulOp m when m.Bias is not null: FuseBiasGelu(i, m); break;
                case MatMulOp m: if (!FuseQkv(i, m)) FuseGateUp(i, m); break;
            }
        }
    }

    private bool FuseSoftCapArgMax(int i, SoftCapOp s)
    {
        if (Readers(s.Y).FirstOrDefault(j => _ops[j] is ArgMaxOp) is not (> 0 and var j) || _ops[j] is not ArgMaxOp a) return false;
        // Placed where the soft cap was: its capped output keeps any other reader (a row slice) satisfied.
        _ops[i] = new SoftCapArgMaxOp(s.X, s.Cap, a.Limit, s.Y, a.Y);
        _ops[j] = null;
        Count("SoftCapArgMax");
        return true;
    }

    private void FuseSoftCapSample(int i, SoftCapOp s)
    {
        if (Readers(s.Y).FirstOrDefault(j => _ops[j] is SampleOp) is not (> 0 and var j) || _ops[j] is not SampleOp a) return;
        // The fused op runs where the soft cap was, so the controls must exist by then: a graph input does.
        if (_graph[a.Controls].Kind != BufferKind.Input)
        {
            _skipped.Add($"SoftCapSample: controls '{_graph[a.Controls].Name}' are computed in the graph, not an input");
            return;
        }
        // As for the argmax, the capped row is written: the kernel re-reads it for its later passes.
        _ops[i] = new SoftCapSampleOp(s.X, s.Cap, a.Limit, a.Controls, s.Y, a.Y);
        _ops[j] = null;
        Count("SoftCapSample");
    }

    private void FuseAddRmsNorm(int i, RmsNormOp post)
    {
        if (!IsPrivate(post.Y, out var j) || _ops[j] is not AddOp add) return;
        var residual = add.A == post.Y ? add.B : add.A;
        var k = Readers(add.Y).Where(r => r > j).FirstOrDefault(r => _ops[r] is RmsNormOp pre && pre.X == add.Y && pre.Eps == post.Eps);
        if (k == 0 || _ops[k] is not RmsNormOp next) return;
        _ops[j] = new AddRmsNormOp(residual, post.X, post.Weight, next.Weight, post.Eps, add.Y, next.Y);
        _ops[i] = null;
        _ops[k] = null;
        Count("AddRmsNorm");
    }

    private void FuseBiasGelu(int i, MatMulOp m)
    {
        if (!IsPrivate(m.Y, out var j) || _ops[j] is not GeluTanhOp gelu) return;
        _ops[i] = m with { Bias = null };
        _ops[j] = new BiasGeluOp(m.Y, m.Bias!.Value, gelu.Y);
        Count("BiasGelu");
    }

    private void FuseGateUp(int i, MatMulOp gate)
    {
        if (!IsPrivate(gate.Y, out var j) || _ops[j] is not GeGluOp geglu || geglu.Gate != gate.Y) return;
        var upIndex = Producer(geglu.Up, i, j);
        if (upIndex < 0 || _ops[upIndex] is not MatMulOp { Bias: null } up || up.X != gate.X || !IsPrivate(up.Y, out _)) return;
        var name = _graph[gate.W].Name.Replace("gate_proj", "gate_up_proj", StringComparison.Ordinal) + " (fused)";
        if (ConcatenatedWeight(name, [gate.W, up.W]) is not { } w) return;
        var gu = AddBuffer(_graph[gate.Y].Name.Replace("gate", "gate_up", StringComparison.Ordinal) + " (fused)",
            [_graph[gate.Y].Shape[0], _graph[gate.Y].Shape[1] * 2], BufferKind.Activation);
        _ops[i] = new MatMulOp(gate.X, w, null, gu);
        _ops[upIndex] = null;
        _ops[j] = new GeGluFusedOp(gu, geglu.Y);
        Count("GateUpGemm+GeGlu");
    }

    private bool FuseQkv(int i, MatMulOp q)
    {
        if (q.Bias is not null || !IsPrivate(q.Y, out var rq) || _ops[rq] is not RopeOp ropeQ) return false;
        // The k and v projections of the same input follow directly, as Gemma2Decoder records them.
        if (i + 2 >= _ops.Length || _ops[i + 1] is not MatMulOp { Bias: null } k || _ops[i + 2] is not MatMulOp { Bias: null } v
            || k.X != q.X || v.X != q.X) return false;
        if (!IsPrivate(k.Y, out var rk) || _ops[rk] is not RopeOp ropeK || ropeK.CachePositions != ropeQ.CachePositions
            || ropeK.PositionOffset != ropeQ.PositionOffset || ropeK.HeadDim != ropeQ.HeadDim || ropeK.Theta != ropeQ.Theta) return false;
        if (!IsPrivate(ropeK.Y, out var wk) || _ops[wk] is not KvCacheWriteOp writeK || writeK.CachePositions != ropeQ.CachePositions) return false;
        if (!IsPrivate(v.Y, out var wv) || _ops[wv] is not KvCacheWriteOp writeV || writeV.CachePositions != ropeQ.CachePositions) return false;
        var name = _graph[q.W].Name.Replace("q_proj", "qkv_proj", StringComparison.Ordinal) + " (fused)";
        if (ConcatenatedWeight(name, [q.W, k.W, v.W]) is not { } w) return true;
        var rows = _graph[q.Y].Shape[0];
        var width = _graph[q.Y].Shape[1] + _graph[k.Y].Shape[1] + _graph[v.Y].Shape[1];
        var qkv = AddBuffer(_graph[q.Y].Name.Replace(".q", ".qkv", StringComparison.Ordinal) + " (fused)", [rows, width], BufferKind.Activation);
        _ops[i] = new MatMulOp(q.X, w, null, qkv);
        _ops[i + 1] = _ops[i + 2] = _ops[rk] = _ops[wk] = _ops[wv] = null;
        _ops[rq] = new QkvRopeCacheOp(qkv, ropeQ.CachePositions, ropeQ.PositionOffset, ropeQ.NumHeads, ropeK.NumHeads, ropeQ.HeadDim,
            ropeQ.Theta, ropeQ.Y, writeK.Cache, writeV.Cache);
        Count("QkvGemm+RopeCache");
        return true;
    }

    private BufferId? ConcatenatedWeight(string name, BufferId[] parts)
    {
        var names = parts.Select(p => _graph[p].Name).ToArray();
        if (!_weights.TryConcatenateRows(name, names, out var reason))
        {
            _skipped.Add($"{name}: {reason}");
            return null;
        }
        var first = _graph[parts[0]];
        return AddBuffer(name, [parts.Sum(p => _graph[p].Shape[0]), first.Shape[1]], BufferKind.Weight);
    }

    private BufferId AddBuffer(string name, int[] shape, BufferKind kind)
    {
        var existing = _buffers.FirstOrDefault(b => b.Name == name);
        if (existing is not null) return existing.Id;
        var id = new BufferId(_buffers.Count);
        _buffers.Add(new BufferDesc(id, name, shape, BufferDType.F32, kind));
        return id;
    }

    /// <summary>True when <paramref name="b"/> is an activation nobody keeps and exactly one op reads; that op's index.</summary>
    private bool IsPrivate(BufferId b, out int reader)
    {
        reader = -1;
        if (_keep.Contains(b) || _graph[b].Kind != BufferKind.Activation) return false;
        var readers = Readers(b).ToList();
        if (readers.Count != 1) return false;
        reader = readers[0];
        return true;
    }

    private IEnumerable<int> Readers(BufferId b) => _readers.TryGetValue(b, out var list) ? list.Where(r => _ops[r] is not null) : [];

    /// <summary>The index in (<paramref name="after"/>, <paramref name="before"/>) of the op that writes <paramref name="b"/>, or −1.</summary>
    private int Producer(BufferId b, int after, int before)
    {
        for (var i = after + 1; i < before; i++)
            if (_ops[i] is { } op && op.Outputs.Contains(b)) return i;
        return -1;
    }

    private void Count(string what) => _fused[what] = _fused.GetValueOrDefault(what) + 1;
}
