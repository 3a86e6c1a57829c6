using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>An owned event (<c>cuEventCreate</c>): a marker in a stream, for waiting and for GPU-side timing.</summary>
public sealed unsafe class CudaEvent : CudaResource
{
    /// <summary><c>CU_EVENT_DISABLE_TIMING</c>: cheaper events that cannot be timed.</summary>
    private const uint DisableTimingFlag = 2;

    private CudaEvent(CudaContext context, nint @event, bool timingEnabled)
        : base(context, @event)
    {
        TimingEnabled = timingEnabled;
    }

    public bool TimingEnabled { get; }

    public static CudaEvent Create(CudaContext context, bool enableTiming = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        nint @event = 0;
        using (context.Enter())
        {
            Check(CudaDriverApi.cuEventCreate(&@event, enableTiming ? 0 : DisableTimingFlag));
        }

        return new CudaEvent(context, @event, enableTiming);
    }

    /// <summary>Records the event at the current end of <paramref name="stream"/> (null: legacy default stream).</summary>
    public void Record(CudaStream? stream) => Check(CudaDriverApi.cuEventRecord(NativeHandle, CudaStream.HandleOf(stream)));

    /// <summary>Blocks until the work before the recorded point has finished.</summary>
    public void Synchronize() => Check(CudaDriverApi.cuEventSynchronize(NativeHandle));

    /// <summary>True when the recorded work has finished (or the event was never recorded).</summary>
    public bool IsCompleted
    {
        get
        {
            var result = CudaDriverApi.cuEventQuery(NativeHandle);
            if (result == CuResult.ErrorNotReady)
            {
                return false;
            }

            Check(result);
            return true;
        }
    }

    /// <summary>GPU time between two recorded, completed events, in milliseconds (about 0.5 µs resolution).</summary>
    public static float ElapsedMilliseconds(CudaEvent start, CudaEvent end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        if (!start.TimingEnabled || !end.TimingEnabled)
        {
            throw new InvalidOperationException("Both events must be created with timing enabled to measure elapsed time.");
        }

        float milliseconds = 0;
        Check(CudaDriverApi.cuEventElapsedTime(&milliseconds, start.NativeHandle, end.NativeHandle));
        return milliseconds;
    }

    private protected override CuResult Free(nint nativeHandle) => CudaDriverApi.cuEventDestroy_v2(nativeHandle);
}
