using System.Runtime.InteropServices;

namespace PaliCuda.Native.Driver;

/// <summary>
/// Base of every driver object this binding owns. Holds a reference on its <see cref="CudaContext"/> so the
/// context outlives it, and releases the native object with that context pushed, so release is correct
/// from any thread, including the finalizer's.
/// </summary>
public abstract unsafe class CudaResource : SafeHandle
{
    private readonly CudaContext context;

    private protected CudaResource(CudaContext context, nint nativeHandle)
        : base(0, ownsHandle: true)
    {
        var added = false;
        context.DangerousAddRef(ref added);
        this.context = context;
        SetHandle(nativeHandle);
    }

    /// <summary>The context the object was created in.</summary>
    public CudaContext Context => context;

    public override bool IsInvalid => handle == 0;

    /// <summary>The raw driver handle, for interop only; not reference-counted.</summary>
    public nint NativeHandle => IsClosed ? throw new ObjectDisposedException(GetType().Name) : handle;

    /// <summary>Frees the native object; the context is current when this runs.</summary>
    private protected abstract CuResult Free(nint nativeHandle);

    protected sealed override bool ReleaseHandle()
    {
        try
        {
            if (CudaDriverApi.cuCtxPushCurrent_v2(context.DangerousGetHandle()) != CuResult.Success)
            {
                return false;
            }

            try
            {
                return Free(handle) == CuResult.Success;
            }
            finally
            {
                nint popped = 0;
                _ = CudaDriverApi.cuCtxPopCurrent_v2(&popped);
            }
        }
        finally
        {
            context.DangerousRelease();
        }
    }
}
