using PaliCuda.Backends;
using PaliCuda.Graph.Ops;

namespace PaliCuda.Graph;

/// <summary>
/// Runs one recorded graph on a backend: activations live in one arena laid out by <see cref="MemoryPlan"/>, inputs
/// in their own block (the host writes them between runs), weights and state come from shared sets. Buffers named in
/// <c>keepAlive</c> (taps, outputs) keep their slot to the end so they can be read after <see cref="Run"/>.
/// </summary>
public sealed class Executor : IDisposable
{
    private readonly DeviceTensor?[] _tensors;
    // Made once: a lambda written in IssueOps would be a new delegate for every op of every run.
    private readonly Func<BufferId, DeviceTensor> _tensorOf;
    private readonly HashSet<BufferId> _readable;
    private readonly Dictionary<BufferId, GraphOp[]> _indexingOps = [];
    private readonly DeviceMemory? _arena;
    private readonly DeviceMemory? _inputs;

    public ComputeGraph Graph { get; }
    public IBackend Backend { get; }
    public MemoryPlan Plan { get; }
    public long PeakActivationBytes => Plan.PeakBytes;
    /// <summary>Backend memory this executor allocated itself: the activation arena and the input block.</summary>
    public long AllocatedBytes => (_arena?.ByteLength ?? 0) + (_inputs?.ByteLength ?? 0);

    /// <summary>
    /// After the first <see cref="Run"/> (the warm-up: modules loaded, workspaces allocated), record the op sequence into
    /// a device graph once and replay it on later runs, when the backend can capture. Inputs are device buffers the
    /// kernels read at replay time, so new ids and positions need no re-capture.
    /// </summary>
    public bool CaptureAfterFirstRun { get; init; }

    /// <summary>The replayed graph's node count once captured, else null.</summary>
    public int? CapturedNodeCount => _captured?.NodeCount;

    private IReplayableWork? _captured;
    /// <summary>The graph as recorded, before the backend's rewrite: index inputs are validated against its ops.</summary>
    private readonly ComputeGraph _recorded;
    private bool _warmedUp;

    public Executor(ComputeGraph graph, WeightSet weights, StateSet? state, IEnumerable<string>? keepAlive = null)
    {
        Backend = weights.Backend;
        var keep = (keepAlive ?? []).Select(n => graph.Names.TryGetValue(n, out var id) ? id
            : throw new KeyNotFoundException($"tap '{n}' is not a buffer of this graph")).ToHashSet();
        _recorded = graph;
        graph = Backend.Prepare(graph, keep, weights);
        Graph = graph;
        var read = graph.Ops.SelectMany(o => o.Inputs).ToHashSet();
        var storage = StorageTypes.For(graph, Backend);
        long StoredBytes(BufferDesc d) => d.ElementCount * storage[d.Id.Index].ElementBytes();
        Plan = MemoryPlan.Create(graph, keep, StoredBytes);
        _arena = Plan.PeakBytes > 0 ? Backend.Allocate(Plan.PeakBytes, "activations") : null;
        var inputs = graph.OfKind(BufferKind.Input).ToList();
        // Inputs stay aligned to the plan's slot alignment so every kernel sees aligned rows.
        var inputBytes = inputs.Sum(d => AlignUp(StoredBytes(d)));
        _inputs = inputBytes > 0 ? Backend.Allocate(inputBytes, "inputs") : null;

        _tensors = new DeviceTensor[graph.Buffers.Count];
        _tensorOf = id => _tensors[id.Index]!;
        long inputOffset = 0;
        foreach (var d in graph.Buffers)
        {
            _tensors[d.Id.Index] = d.Kind switch
            {
                BufferKind.Weight => weights.Get(d),
                BufferKind.State => (state ?? throw new InvalidOperationException($"graph uses state '{d.Name}' but no state set was given")).GetOrCreate(d, storage[d.Id.Index]),
                BufferKind.Input => new DeviceTensor(_inputs!, (inputOffset += AlignUp(StoredBytes(d))) - AlignUp(StoredBytes(d)), d.Shape, storage[d.Id.Index], d.Name),
                _ => Plan.Offsets.TryGetValue(d.Id, out var off)
                    ? new DeviceTensor(_arena!, off, d.Shape, storage[d.Id.Index], d.Name)
                    // An activation a backend's rewrite made unnecessary is left out; one that is read must be written.
                    : read.Contains(d.Id) || keep.Contains(d.Id)
                        ? throw new GraphValidationException($"activation '{d.Name}' is read but never written by any op")
                        : null,
            };
        }
        _readable = [.. keep, .. inputs.Select(d => d.Id), .. graph.Buffers.Where(d => d.Kind is BufferKind.Weight or BufferKind.State).Select(d => d.Id)];
    }

    public void SetInput(string name, ReadOnlySpan<float> values) => Backend.Write(InputTensor(name, BufferDType.F32, values.Length), values);
    /// <summary>Writes an I32 input after checking its values against the ops that index with it (<see cref="IndexInputValidation"/>).</summary>
    public void SetInput(string name, ReadOnlySpan<int> values)
    {
        var tensor = InputTensor(name, BufferDType.I32, values.Length);
        var id = _recorded.Find(name).Id;
        // Found once per input: the decode loop writes its id and position every step.
        if (!_indexingOps.TryGetValue(id, out var ops)) _indexingOps[id] = ops = IndexInputValidation.OpsIndexingWith(_recorded, id);
        IndexInputValidation.Check(_recorded, ops, id, values);
        Backend.Write(tensor, values);
    }

    /// <summary>Runs every op in order; cancellation is checked between ops.</summary>
    public void Run(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_captured is { } graph)
        {
            graph.Replay();
            return;
        }
        IssueOps(cancellationToken);
        if (CaptureAfterFirstRun && !_warmedUp)
        {
            _warmedUp = true;
            _captured = Backend.Capture(() => IssueOps(CancellationToken.None));
        }
    }

    /// <summary>Queues every op in order; cancellation is checked between ops.</summary>
    public void IssueOps(CancellationToken cancellationToken = default)
    {
        foreach (var op in Graph.Ops)
        {
            cancellationToken.ThrowIfCancellationRequested();
            op.Execute(Backend, _tensorOf);
        }
    }

    public DeviceTensor Tensor(string name)
    {
        var d = Graph.Find(name);
        if (!_readable.Contains(d.Id))
            throw new InvalidOperationException($"buffer '{name}' is not kept alive; pass it as a tap when creating the executor");
        return _tensors[d.Id.Index] ?? throw new InvalidOperationException($"buffer '{name}' is not computed by this backend's graph");
    }

    public float[] ReadFloat(string name)
    {
        var t = Tensor(name);
        if (t.DType is not (BufferDType.F32 or BufferDType.BF16)) throw new InvalidOperationException($"buffer '{name}' is {t.DType}, not a float tensor");
        var r = new float[t.ElementCount];
        Backend.Read(t, r);
        return r;
    }

    public int[] ReadInt(string name)
    {
        var t = Tensor(name);
        if (t.DType != BufferDType.I32) throw new InvalidOperationException($"buffer '{name}' is {t.DType}, not I32");
        var r = new int[t.ElementCount];
        Backend.Read(t, r);
        return r;
    }

    private DeviceTensor InputTensor(string name, BufferDType dtype, int length)
    {
        var d = Graph.Find(name);
        if (d.Kind != BufferKind.Input) throw new InvalidOperationException($"buffer '{name}' is not a graph input");
        if (d.DType != dtype) throw new ModelInputException($"input '{name}' is {d.DType}, got {dtype} values");
        if (d.ElementCount != length) throw new ModelInputException($"input '{name}' needs {d.ElementCount} values {d.ShapeText}, got {length}");
        return _tensors[d.Id.Index]!;
    }

    private static long AlignUp(long bytes) => (bytes + MemoryPlan.Alignment - 1) / MemoryPlan.Alignment * MemoryPlan.Alignment;

    public void Dispose()
    {
        _captured?.Dispose();
        _arena?.Dispose();
        _inputs?.Dispose();
    }
}
