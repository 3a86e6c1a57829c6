using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>
/// One recorded operation over graph buffers. Ops are coarse (one GPU kernel each later) and out-of-place, except
/// <see cref="KvCacheWriteOp"/>, which writes into a state buffer.
/// </summary>
public abstract record GraphOp
{
    public abstract IReadOnlyList<BufferId> Inputs { get; }
    public abstract IReadOnlyList<BufferId> Outputs { get; }
    /// <summary>Short op name for plans and error messages.</summary>
    public abstract string Kind { get; }
    /// <summary>Dispatches to the backend method implementing this op.</summary>
    public abstract void Execute(IBackend backend, Func<BufferId, DeviceTensor> tensor);
}
