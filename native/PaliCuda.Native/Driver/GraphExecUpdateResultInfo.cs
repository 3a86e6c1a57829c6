using System.Runtime.InteropServices;

namespace PaliCuda.Native.Driver;

/// <summary>Mirror of <c>CUgraphExecUpdateResultInfo</c> (CUDA 12).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GraphExecUpdateResultInfo
{
    public GraphExecUpdateResult Result;
    public nint ErrorNode;
    public nint ErrorFromNode;
}
