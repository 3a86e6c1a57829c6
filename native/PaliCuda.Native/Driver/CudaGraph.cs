using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>An owned graph (<c>CUgraph</c>), obtained from <see cref="CudaStream.EndCapture"/>.</summary>
public sealed unsafe class CudaGraph : CudaResource
{
    internal CudaGraph(CudaContext context, nint graph)
        : base(context, graph)
    {
    }

    /// <summary>How many nodes (kernels, copies, memsets, ...) the graph holds.</summary>
    public int NodeCount
    {
        get
        {
            nuint count = 0;
            using (Context.Enter())
            {
                Check(CudaDriverApi.cuGraphGetNodes(NativeHandle, null, &count));
            }

            return checked((int)count);
        }
    }

    /// <summary>Compiles the graph into an executable one that can be launched many times.</summary>
    public CudaGraphExec Instantiate(GraphInstantiateFlags flags = GraphInstantiateFlags.None)
    {
        nint exec = 0;
        using (Context.Enter())
        {
            Check(CudaDriverApi.cuGraphInstantiateWithFlags(&exec, NativeHandle, (ulong)flags));
        }

        return new CudaGraphExec(Context, exec);
    }

    private protected override CuResult Free(nint nativeHandle) => CudaDriverApi.cuGraphDestroy(nativeHandle);
}
