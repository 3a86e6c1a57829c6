using PaliCuda.Graph.Ops;

namespace PaliCuda.Graph;

/// <summary>
/// Records ops over named buffers, inferring and checking shapes as it goes, so a malformed model is caught when the
/// graph is built rather than inside a kernel. Activations are 2-D [rows, features].
/// </summary>
public sealed class GraphBuilder
{
    private readonly List<BufferDesc> _buffers = [];
    private readonly List<GraphOp> _ops = [];
    private readonly Dictionary<string, BufferId> _names = new(StringComparer.Ordinal);

    public BufferDesc this[BufferId id] => _buffers[id.Index];
    public int[] ShapeOf(BufferId id) => _buffers[id.Index].Shape;

    /// <summary>A checkpoint weight; asking twice for one name returns the same buffer (tied LM head).</summary>
    public BufferId Weight(string name, params int[] shape)
    {
        if (_names.TryGetValue(name, out var existing))
        {
            var d = this[existing];
            if (d.Kind != BufferKind.Weight || d.ElementCount != shape.Aggregate(1L, (a, b) => a * b))
                throw new GraphValidationException($"weight '{name}' requested as [{string.Join(", ", shape)}] but already declared as {d}");
            return existing;
        }
        return Add(name, shape, BufferDType.F32, BufferKind.Weight);
    }

    public BufferId Input(string name, BufferDType dtype, params int[] shape) => Add(name, shape, dtype, BufferKind.Input);
    public BufferId State(string name, params int[] shape) => Add(name, shape, BufferDType.F32, BufferKind.State);

    /// <summary>Gives an existing buffer another name (a tap name such as "hidden_states.1").</summary>
    public void Alias(BufferId id, string name)
    {
        if (!_names.TryAdd(name, id)) throw new GraphValidationException($"buffer name '{name}' is used twice");
    }

    public BufferId MatMul(BufferId x, BufferId w, BufferId? bias, string name)
    {
        var (m, k) = Matrix(x, "MatMul", "x");
        var (n, kw) = Matrix(w, "MatMul", "w");
        if (k != kw) Fail("MatMul", $"x {this[x]} and w {this[w]} disagree on the inner dimension");
        if (bias is { } b && this[b].ElementCount != n) Fail("MatMul", $"bias {this[b]} should have {n} elements");
        return Emit(name, [m, n], y => new MatMulOp(x, w, bias, y));
    }

    public BufferId LayerNorm(BufferId x, BufferId gamma, BufferId beta, float eps, string name)
    {
        var (m, d) = Matrix(x, "LayerNorm", "x");
        RequireVector(gamma, d, "LayerNorm");
        RequireVector(beta, d, "LayerNorm");
        return Emit(name, [m, d], y => new LayerNormOp(x, gamma, beta, eps, y));
    }

    public BufferId RmsNorm(BufferId x, BufferId weight, float eps, string name)
    {
        var (m, d) = Matrix(x, "RmsNorm", "x");
        RequireVector(weight, d, "RmsNorm");
        return Emit(name, [m, d], y => new RmsNormOp(x, weight, eps, y));
    }

    public BufferId GeluTanh(BufferId x, string name) => Emit(name, Same(x, "GeluTanh"), y => new GeluTanhOp(x, y));

    public BufferId GeGlu(BufferId gate, BufferId up, string name)
    {
        RequireSameShape(gate, up, "GeGlu");
        return Emit(name, Same(gate, "GeGlu"), y => new GeGluOp(gate, up, y));
    }

    public BufferId Add(BufferId a, BufferId b, string name)
    {
        RequireSameShape(a, b, "Add");
        return Emit(name, Same(a, "Add"), y => new AddOp(a, b, y));
    }

    public BufferId Scale(BufferId x, float factor, bool divide, string name) =>
        Emit(name, Same(x, "Scale"), y => new ScaleOp(x, factor, divide, y));

    public BufferId SoftCap(BufferId x, float cap, string name)
    {
        if (!(cap > 0)) Fail("SoftCap", $"cap must be positive, got {cap}");
        return Emit(name, Same(x, "SoftCap"), y => new SoftCapOp(x, cap, y));
    }

    public BufferId Rope(BufferId x, BufferId cachePositions, int positionOffset, int numHeads, int headDim, float theta, string name)
    {
        var (t, d) = Matrix(x, "Rope", "x");
        if (d != numHeads * headDim || headDim % 2 != 0) Fail("Rope", $"x {this[x]} is not [tokens, {numHeads}·{headDim}] with even head_dim");
        RequireIndexVector(cachePositions, t, "Rope");
        return Emit(name, [t, d], y => new RopeOp(x, cachePositions, positionOffset, numHeads, headDim, theta, y));
    }

    public BufferId Attention(BufferId q, BufferId k, BufferId v, BufferId? queryPositions, BufferId? prefixLength, AttentionParams p, string name)
    {
        var (t, d) = Matrix(q, "Attention", "q");
        if (p.NumKvHeads <= 0 || p.NumHeads % p.NumKvHeads != 0) Fail("Attention", $"{p.NumHeads} heads are not a multiple of {p.NumKvHeads} kv heads");
        if (d != p.NumHeads * p.HeadDim) Fail("Attention", $"q {this[q]} is not [queries, {p.NumHeads}·{p.HeadDim}]");
        RequireSameShape(k, v, "Attention");
        var ks = ShapeOf(k);
        if (p.Layout == KvLayout.TokenMajor)
        {
            if (ks.Length != 2 || ks[1] != p.NumKvHeads * p.HeadDim) Fail("Attention", $"k {this[k]} is not [keys, {p.NumKvHeads}·{p.HeadDim}]");
            if (p.Mask.Kind != AttentionMaskKind.Bidirectional) Fail("Attention", "token-major keys support only the bidirectional mask");
        }
        else
        {
            if (ks.Length != 3 || ks[0] != p.NumKvHeads || ks[2] != p.HeadDim) Fail("Attention", $"cache {this[k]} is not [{p.NumKvHeads}, capacity, {p.HeadDim}]");
            if (queryPositions is not { } qp || prefixLength is not { } pl) { Fail("Attention", "a KV-cache attention needs query positions and the prefix length"); return default; }
            RequireIndexVector(qp, t, "Attention");
            RequireIndexVector(pl, 1, "Attention");
        }
        return Emit(name, [t, d], y => new AttentionOp(q, k, v, queryPositions, prefixLength, p, y));
    }

    public void KvCacheWrite(BufferId source, BufferId cachePositions, BufferId cache)
    {
        var (t, d) = Matrix(source, "KvCacheWrite", "source");
        var cs = ShapeOf(cache);
        if (this[cache].Kind != BufferKind.State || cs.Length != 3 || cs[0] * cs[2] != d)
            Fail("KvCacheWrite", $"cache {this[cache]} does not match source {this[source]}");
        RequireIndexVector(cachePositions, t, "KvCacheWrite");
        _ops.Add(new KvCacheWriteOp(source, cachePositions, cache));
    }

    public BufferId EmbeddingGather(BufferId table, BufferId ids, string name)
    {
        var (_, d) = Matrix(table, "EmbeddingGather", "table");
        var t = (int)this[ids].ElementCount;
        RequireIndexVector(ids, t, "EmbeddingGather");
        return Emit(name, [t, d], y => new EmbeddingGatherOp(table, ids, y));
    }

    public BufferId ScatterImageFeatures(BufferId embeds, BufferId ids, BufferId features, int imageTokenIndex, string name)
    {
        var (s, d) = Matrix(embeds, "ScatterImageFeatures", "embeds");
        var (_, fd) = Matrix(features, "ScatterImageFeatures", "features");
        if (fd != d) Fail("ScatterImageFeatures", $"features {this[features]} and embeds {this[embeds]} differ in width");
        RequireIndexVector(ids, s, "ScatterImageFeatures");
        return Emit(name, [s, d], y => new ScatterImageFeaturesOp(embeds, ids, features, imageTokenIndex, y));
    }

    public BufferId Patchify(BufferId pixels, int patchSize, string name)
    {
        var ps = ShapeOf(pixels);
        if (ps.Length != 3 || patchSize <= 0 || ps[1] % patchSize != 0 || ps[2] % patchSize != 0)
            Fail("Patchify", $"pixels {this[pixels]} is not [C, H, W] with H, W multiples of {patchSize}");
        var patches = ps[1] / patchSize * (ps[2] / patchSize);
        return Emit(name, [patches, ps[0] * patchSize * patchSize], y => new PatchifyOp(pixels, patchSize, y));
    }

    public BufferId SliceRows(BufferId x, int start, int count, string name)
    {
        var (m, d) = Matrix(x, "SliceRows", "x");
        if (start < 0 || count <= 0 || start + count > m) Fail("SliceRows", $"rows {start}..{start + count} outside {this[x]}");
        return Emit(name, [count, d], y => new SliceRowsOp(x, start, y));
    }

    /// <summary>Row <paramref name="length"/>[0] − 1 of <paramref name="x"/> as [1, cols] (<see cref="GatherLastRowOp"/>).</summary>
    public BufferId GatherLastRow(BufferId x, BufferId length, string name)
    {
        var (_, d) = Matrix(x, "GatherLastRow", "x");
        RequireIndexVector(length, 1, "GatherLastRow");
        return Emit(name, [1, d], y => new GatherLastRowOp(x, length, y));
    }

    public BufferId ArgMax(BufferId x, int limit, string name)
    {
        var (m, n) = Matrix(x, "ArgMax", "x");
        if (limit <= 0 || limit > n) Fail("ArgMax", $"limit {limit} outside 1..{n}");
        var id = Add(name, [m], BufferDType.I32, BufferKind.Activation);
        _ops.Add(new ArgMaxOp(x, limit, id));
        return id;
    }

    /// <summary>
    /// The token drawn from each row of x[:, 0 : limit) (I32 [rows]) with that row's controls (an F32 [rows, 4] buffer
    /// of u, temperature, top-k, top-p, normally a graph input written before every run: <see cref="SampleControls"/>);
    /// <see cref="TokenSampler"/> defines the draw.
    /// </summary>
    public BufferId Sample(BufferId x, int limit, BufferId controls, string name)
    {
        var (m, n) = Matrix(x, "Sample", "x");
        if (limit <= 0 || limit > n || limit > TokenSampler.MaxVocabulary) Fail("Sample", $"limit {limit} outside 1..{Math.Min(n, TokenSampler.MaxVocabulary)}");
        if (this[controls].DType != BufferDType.F32 || this[controls].ElementCount != m * SampleControls.Width)
            Fail("Sample", $"controls {this[controls]} should be F32 [{m}, {SampleControls.Width}] (u, temperature, top-k, top-p per row)");
        var id = Add(name, [m], BufferDType.I32, BufferKind.Activation);
        _ops.Add(new SampleOp(x, limit, controls, id));
        return id;
    }

    public ComputeGraph Build() => new([.. _buffers], [.. _ops], new Dictionary<string, BufferId>(_names));

    private BufferId Emit(string name, int[] shape, Func<BufferId, GraphOp> op)
    {
        var id = Add(name, shape, BufferDType.F32, BufferKind.Activation);
        _ops.Add(op(id));
        return id;
    }

    private BufferId Add(string name, int[] shape, BufferDType dtype, BufferKind kind)
    {
        if (shape.Any(s => s <= 0)) throw new GraphValidationException($"buffer '{name}' has a non-positive dimension [{string.Join(", ", shape)}]");
        var id = new BufferId(_buffers.Count);
        if (!_names.TryAdd(name, id)) throw new GraphValidationException($"buffer name '{name}' is used twice");
        _buffers.Add(new BufferDesc(id, name, shape, dtype, kind));
        return id;
    }

    private (int Rows, int Cols) Matrix(BufferId id, string op, string role)
    {
        var d = this[id];
        if (d.Shape.Length != 2 || d.DType != BufferDType.F32) Fail(op, $"{role} {d} must be a 2-D F32 matrix");
        return (d.Shape[0], d.Shape[1]);
    }

    private int[] Same(BufferId x, string op)
    {
        if (this[x].DType != BufferDType.F32) Fail(op, $"{this[x]} must be F32");
        return [.. ShapeOf(x)];
    }

    private void RequireVector(BufferId id, int n, string op)
    {
        if (this[id].ElementCount != n) Fail(op, $"{this[id]} should have {n} elements");
    }

    private void RequireIndexVector(BufferId id, int n, string op)
    {
        var d = this[id];
        if (d.DType != BufferDType.I32 || d.ElementCount != n) Fail(op, $"{d} should be an I32 vector of {n} elements");
    }

    private void RequireSameShape(BufferId a, BufferId b, string op)
    {
        if (!ShapeOf(a).SequenceEqual(ShapeOf(b))) Fail(op, $"{this[a]} and {this[b]} differ in shape");
    }

    private static void Fail(string op, string message) => throw new GraphValidationException($"{op}: {message}");
}
