namespace PaliCuda.Native.Driver;

/// <summary>
/// Driver entry points that older drivers lack, resolved by name at run time so that their absence is a
/// reported capability rather than an <see cref="EntryPointNotFoundException"/>.
/// </summary>
internal static unsafe class CudaDriverOptionalApi
{
    /// <summary>CUDA 12 signature: <c>cuGraphExecUpdate_v2(exec, graph, CUgraphExecUpdateResultInfo*)</c>.</summary>
    public static readonly delegate* unmanaged<nint, nint, GraphExecUpdateResultInfo*, CuResult> GraphExecUpdateV2 =
        (delegate* unmanaged<nint, nint, GraphExecUpdateResultInfo*, CuResult>)CudaDriverLibrary.Instance.TryGetExport("cuGraphExecUpdate_v2");

    /// <summary>CUDA 11 signature: <c>cuGraphExecUpdate(exec, graph, CUgraphNode* errorNode, CUgraphExecUpdateResult*)</c>.</summary>
    public static readonly delegate* unmanaged<nint, nint, nint*, GraphExecUpdateResult*, CuResult> GraphExecUpdateV1 =
        (delegate* unmanaged<nint, nint, nint*, GraphExecUpdateResult*, CuResult>)CudaDriverLibrary.Instance.TryGetExport("cuGraphExecUpdate");
}
