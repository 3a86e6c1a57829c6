using PaliCuda.Graph;
using PaliCuda.Graph.Ops;

namespace PaliCuda.Backends.Gpu.Fusion;

/// <summary>
/// An op the GPU fusion pass puts in place of a sequence of graph ops; it runs only on a <see cref="GpuBackend"/> and
/// computes what the replaced sequence computes there (each fused op says which roundings, if any, differ).
/// </summary>
public abstract record FusedOp : GraphOp
{
    public sealed override void Execute(IBackend backend, Func<BufferId, DeviceTensor> tensor)
    {
        if (backend is not GpuBackend gpu)
            throw new InvalidOperationException($"fused op {Kind} was given to backend '{backend.Name}'; only the GPU backend's fusion pass creates it");
        Run(gpu, tensor);
    }

    protected abstract void Run(GpuBackend gpu, Func<BufferId, DeviceTensor> tensor);
}
