using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>
/// Pushes a context for the duration of a <c>using</c> and pops it after, holding a reference so the context
/// cannot be released meanwhile. Used for creation and release, which may run on any thread (finalizers).
/// </summary>
internal unsafe ref struct ContextScope
{
    private CudaContext? context;

    public ContextScope(CudaContext context)
    {
        var added = false;
        context.DangerousAddRef(ref added);
        try
        {
            Check(CudaDriverApi.cuCtxPushCurrent_v2(context.DangerousGetHandle()));
        }
        catch
        {
            context.DangerousRelease();
            throw;
        }

        this.context = context;
    }

    public void Dispose()
    {
        if (context is null)
        {
            return;
        }

        nint popped = 0;
        _ = CudaDriverApi.cuCtxPopCurrent_v2(&popped);
        context.DangerousRelease();
        context = null;
    }
}
