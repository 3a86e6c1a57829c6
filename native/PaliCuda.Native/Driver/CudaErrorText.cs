using System.Runtime.InteropServices;
using PaliCuda.Native.Common;

namespace PaliCuda.Native.Driver;

/// <summary>
/// Names and descriptions of <see cref="CuResult"/> codes, asked of the driver (<c>cuGetErrorName</c>,
/// <c>cuGetErrorString</c>, both usable before <c>cuInit</c>), or built from the enum when the driver is
/// absent or does not know the code.
/// </summary>
public static unsafe class CudaErrorText
{
    /// <summary>The C name, e.g. <c>CUDA_ERROR_NO_DEVICE</c>.</summary>
    public static string Name(CuResult result)
    {
        if (CudaDriverLibrary.Instance.IsLoaded)
        {
            byte* text = null;
            if (CudaDriverApi.cuGetErrorName(result, &text) == CuResult.Success && text is not null)
            {
                return Marshal.PtrToStringUTF8((nint)text) ?? FallbackName(result);
            }
        }

        return FallbackName(result);
    }

    /// <summary>The driver's sentence for the code, e.g. <c>no CUDA-capable device is detected</c>.</summary>
    public static string Description(CuResult result)
    {
        if (!CudaDriverLibrary.Instance.IsLoaded)
        {
            return "no description: the CUDA driver library is not loaded";
        }

        byte* text = null;
        if (CudaDriverApi.cuGetErrorString(result, &text) == CuResult.Success && text is not null)
        {
            return Marshal.PtrToStringUTF8((nint)text) ?? string.Empty;
        }

        return $"no description: this driver does not know code {(int)result}";
    }

    /// <summary>The C name derived from <see cref="CuResult"/> alone; <c>CUresult 1234</c> for codes the enum lacks.</summary>
    public static string FallbackName(CuResult result)
    {
        if (!Enum.IsDefined(result))
        {
            return $"CUresult {(int)result}";
        }

        return result == CuResult.Success ? "CUDA_SUCCESS" : NativeNames.ToUpperSnake("CUDA_", result.ToString());
    }

    /// <summary><c>NAME (description)</c>, the form used in exception messages and probe reasons.</summary>
    public static string Describe(CuResult result) => $"{Name(result)} ({Description(result)})";
}
