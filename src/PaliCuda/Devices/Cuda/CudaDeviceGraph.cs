using PaliCuda.Native.Driver;

namespace PaliCuda.Devices.Cuda;

/// <summary>A captured CUDA graph, instantiated once for replay.</summary>
internal sealed class CudaDeviceGraph(CudaGraph graph, CudaGraphExec exec) : IDeviceGraph
{
    public CudaGraphExec Exec { get; } = exec;
    public int NodeCount { get; } = graph.NodeCount;

    public void Dispose()
    {
        Exec.Dispose();
        graph.Dispose();
    }
}
