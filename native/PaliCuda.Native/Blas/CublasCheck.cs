using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PaliCuda.Native.Blas;

/// <summary>The one place cuBLAS statuses are checked: <c>Check(CublasApi.cublasCreate_v2(&amp;handle))</c>.</summary>
public static class CublasCheck
{
    /// <summary>Throws <see cref="CublasException"/> unless <paramref name="status"/> is success. Allocation-free on success.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(CublasStatus status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != CublasStatus.Success)
        {
            Throw(status, call);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(CublasStatus status, string call) => throw new CublasException(status, call);
}
