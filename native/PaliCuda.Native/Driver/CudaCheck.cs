using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PaliCuda.Native.Driver;

/// <summary>
/// The one place driver results are checked. Import with <c>using static</c> and wrap every call:
/// <c>Check(CudaDriverApi.cuInit(0))</c>; the compiler supplies the call's source text for the message.
/// </summary>
public static class CudaCheck
{
    /// <summary>Throws <see cref="CudaException"/> unless <paramref name="result"/> is success. Allocation-free on success.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(CuResult result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != CuResult.Success)
        {
            Throw(result, call);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(CuResult result, string call) => throw new CudaException(result, call);
}
