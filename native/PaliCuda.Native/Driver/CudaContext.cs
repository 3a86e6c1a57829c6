using System.Runtime.InteropServices;
using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>
/// A retained reference to a device's primary context (the one the CUDA runtime and cuBLAS also use).
/// Releasing it drops the retain count; objects created in it keep it retained until they are released.
/// Work-issuing calls run on the calling thread's current context: call <see cref="MakeCurrent"/> on each
/// thread that copies, launches or calls cuBLAS.
/// </summary>
public sealed unsafe class CudaContext : SafeHandle
{
    private CudaDeviceInfo? deviceInfo;

    private CudaContext(nint context, int deviceOrdinal, int device)
        : base(0, ownsHandle: true)
    {
        SetHandle(context);
        DeviceOrdinal = deviceOrdinal;
        Device = device;
    }

    /// <summary>The device ordinal this context belongs to.</summary>
    public int DeviceOrdinal { get; }

    /// <summary>The <c>CUdevice</c> handle (equal to the ordinal on current drivers, but not promised).</summary>
    internal int Device { get; }

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw <c>CUcontext</c>, for interop only; not reference-counted.</summary>
    public nint NativeHandle => IsClosed ? throw new ObjectDisposedException(nameof(CudaContext)) : handle;

    /// <summary>Properties of this context's device, read once.</summary>
    public CudaDeviceInfo DeviceInfo => deviceInfo ??= CudaDriver.GetDeviceInfo(DeviceOrdinal);

    /// <summary>Initializes the driver and retains the primary context of <paramref name="deviceOrdinal"/>, making it current on this thread.</summary>
    public static CudaContext RetainPrimary(int deviceOrdinal = 0)
    {
        CudaDriver.Initialize();
        var device = CudaDriver.GetDeviceHandle(deviceOrdinal);
        nint context = 0;
        Check(CudaDriverApi.cuDevicePrimaryCtxRetain(&context, device));
        var result = new CudaContext(context, deviceOrdinal, device);
        result.MakeCurrent();
        return result;
    }

    /// <summary>Binds this context to the calling thread.</summary>
    public void MakeCurrent() => Check(CudaDriverApi.cuCtxSetCurrent(NativeHandle));

    /// <summary>
    /// Binds this context to the calling thread unless it is current already: one thread-local read on the common
    /// path. For entry points that may be called from any thread (thread-pool continuations, test runners).
    /// </summary>
    public void EnsureCurrent()
    {
        var wanted = NativeHandle;
        nint current = 0;
        if (CudaDriverApi.cuCtxGetCurrent(&current) == CuResult.Success && current == wanted)
        {
            return;
        }

        Check(CudaDriverApi.cuCtxSetCurrent(wanted));
    }

    /// <summary>Waits for all work in this context to finish; surfaces asynchronous kernel errors.</summary>
    public void Synchronize()
    {
        using var scope = Enter();
        Check(CudaDriverApi.cuCtxSynchronize());
    }

    /// <summary>Free and total device memory.</summary>
    public CudaMemoryInfo GetMemoryInfo()
    {
        using var scope = Enter();
        nuint free = 0, total = 0;
        Check(CudaDriverApi.cuMemGetInfo_v2(&free, &total));
        return new CudaMemoryInfo(checked((long)free), checked((long)total));
    }

    /// <summary>Makes this context current until the scope ends, restoring the previous one.</summary>
    internal ContextScope Enter() => new(this);

    protected override bool ReleaseHandle() => CudaDriverApi.cuDevicePrimaryCtxRelease_v2(Device) == CuResult.Success;
}
