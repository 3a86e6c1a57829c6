using System.Runtime.InteropServices;
using PaliCuda.Native.Common;

namespace PaliCuda.Native.Blas;

/// <summary>Names and descriptions of <see cref="CublasStatus"/> codes, from cuBLAS when it provides them, else from the enum.</summary>
public static unsafe class CublasStatusText
{
    /// <summary>The C name, e.g. <c>CUBLAS_STATUS_NOT_INITIALIZED</c>.</summary>
    public static string Name(CublasStatus status)
    {
        if (CublasOptionalApi.GetStatusName is not null)
        {
            var text = CublasOptionalApi.GetStatusName(status);
            if (text is not null && Marshal.PtrToStringUTF8((nint)text) is { Length: > 0 } name && !name.Contains("UNKNOWN", StringComparison.Ordinal))
            {
                return name;
            }
        }

        return FallbackName(status);
    }

    /// <summary>cuBLAS's sentence for the code, or a generic one when cuBLAS is absent or older than 11.4.2.</summary>
    public static string Description(CublasStatus status)
    {
        if (CublasOptionalApi.GetStatusString is not null)
        {
            var text = CublasOptionalApi.GetStatusString(status);
            if (text is not null && Marshal.PtrToStringUTF8((nint)text) is { Length: > 0 } description)
            {
                return description;
            }
        }

        return "no description from cuBLAS";
    }

    /// <summary>The C name derived from the enum alone; <c>cublasStatus_t 1234</c> for codes the enum lacks.</summary>
    public static string FallbackName(CublasStatus status) =>
        Enum.IsDefined(status) ? NativeNames.ToUpperSnake("CUBLAS_STATUS_", status.ToString()) : $"cublasStatus_t {(int)status}";
}
