using System.Runtime.CompilerServices;
using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>
/// An owned stream (<c>cuStreamCreate</c>). Where the API takes <c>CudaStream?</c>, null means the legacy
/// default stream, which synchronizes with every blocking stream and cannot be captured.
/// </summary>
public sealed unsafe class CudaStream : CudaResource
{
    /// <summary><c>CU_STREAM_NON_BLOCKING</c>: no implicit synchronization with the legacy default stream.</summary>
    private const uint NonBlockingFlag = 1;

    private CudaStream(CudaContext context, nint stream)
        : base(context, stream)
    {
    }

    /// <summary>
    /// Creates a stream. Non-blocking (the default) keeps it independent of the legacy default stream, which
    /// is what graph capture needs.
    /// </summary>
    public static CudaStream Create(CudaContext context, bool nonBlocking = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        nint stream = 0;
        using (context.Enter())
        {
            Check(CudaDriverApi.cuStreamCreate(&stream, nonBlocking ? NonBlockingFlag : 0));
        }

        return new CudaStream(context, stream);
    }

    /// <summary>Waits until all work queued on this stream has finished.</summary>
    public void Synchronize() => Check(CudaDriverApi.cuStreamSynchronize(NativeHandle));

    /// <summary>Starts recording work issued to this stream into a graph instead of running it.</summary>
    public void BeginCapture(StreamCaptureMode mode = StreamCaptureMode.ThreadLocal) =>
        Check(CudaDriverApi.cuStreamBeginCapture_v2(NativeHandle, mode));

    /// <summary>Ends the capture started by <see cref="BeginCapture"/> and returns the recorded graph.</summary>
    public CudaGraph EndCapture()
    {
        nint graph = 0;
        Check(CudaDriverApi.cuStreamEndCapture(NativeHandle, &graph));
        return new CudaGraph(Context, graph);
    }

    /// <summary>Whether a capture is active, invalidated, or not under way.</summary>
    public StreamCaptureStatus CaptureStatus
    {
        get
        {
            StreamCaptureStatus status = StreamCaptureStatus.None;
            Check(CudaDriverApi.cuStreamIsCapturing(NativeHandle, &status));
            return status;
        }
    }

    /// <summary>The driver handle for a stream argument: zero (legacy default stream) for null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static nint HandleOf(CudaStream? stream) => stream is null ? 0 : stream.NativeHandle;

    private protected override CuResult Free(nint nativeHandle) => CudaDriverApi.cuStreamDestroy_v2(nativeHandle);
}
