using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>An owned executable graph (<c>CUgraphExec</c>): launch it to replay the captured work.</summary>
public sealed unsafe class CudaGraphExec : CudaResource
{
    internal CudaGraphExec(CudaContext context, nint exec)
        : base(context, exec)
    {
    }

    /// <summary>
    /// Whether this driver can update an executable graph in place: <c>cuGraphExecUpdate_v2</c> (CUDA 12) or
    /// the CUDA 11 <c>cuGraphExecUpdate</c>.
    /// </summary>
    public static bool IsUpdateSupported =>
        CudaDriverOptionalApi.GraphExecUpdateV2 is not null || CudaDriverOptionalApi.GraphExecUpdateV1 is not null;

    /// <summary>Queues one replay of the graph on <paramref name="stream"/> (null: legacy default stream).</summary>
    public void Launch(CudaStream? stream) => Check(CudaDriverApi.cuGraphLaunch(NativeHandle, CudaStream.HandleOf(stream)));

    /// <summary>
    /// Copies the parameters of <paramref name="graph"/> (same topology, e.g. re-captured with new kernel
    /// arguments) into this executable graph. Returns false with the driver's reason when the change is not
    /// allowed or the driver has no update entry point (<see cref="GraphExecUpdateResult.ErrorNotSupported"/>);
    /// the caller then instantiates anew. Other failures throw <see cref="CudaException"/>.
    /// </summary>
    public bool TryUpdate(CudaGraph graph, out GraphExecUpdateResult result)
    {
        ArgumentNullException.ThrowIfNull(graph);
        CuResult status;
        using (Context.Enter())
        {
            if (CudaDriverOptionalApi.GraphExecUpdateV2 is not null)
            {
                GraphExecUpdateResultInfo info = default;
                status = CudaDriverOptionalApi.GraphExecUpdateV2(NativeHandle, graph.NativeHandle, &info);
                result = info.Result;
            }
            else if (CudaDriverOptionalApi.GraphExecUpdateV1 is not null)
            {
                nint errorNode = 0;
                GraphExecUpdateResult legacyResult = GraphExecUpdateResult.Success;
                status = CudaDriverOptionalApi.GraphExecUpdateV1(NativeHandle, graph.NativeHandle, &errorNode, &legacyResult);
                result = legacyResult;
            }
            else
            {
                result = GraphExecUpdateResult.ErrorNotSupported;
                return false;
            }
        }

        if (status == CuResult.ErrorGraphExecUpdateFailure)
        {
            return false;
        }

        Check(status, "cuGraphExecUpdate");
        return result == GraphExecUpdateResult.Success;
    }

    private protected override CuResult Free(nint nativeHandle) => CudaDriverApi.cuGraphExecDestroy(nativeHandle);
}
