using System.Runtime.InteropServices;
using PaliCuda.Native.Interop;

namespace PaliCuda.Native.Blas;

/// <summary>The cuBLASLt entry points bound so far: handle lifetime and version.</summary>
internal static unsafe partial class CublasLtApi
{
    /// <summary>Logical name mapped to the probed cuBLASLt by <see cref="NativeImportResolver"/>.</summary>
    public const string LibraryName = "palicuda-cublaslt";

    static CublasLtApi() => NativeImportResolver.EnsureRegistered();

    [LibraryImport(LibraryName)] public static partial CublasStatus cublasLtCreate(nint* handle);
    [LibraryImport(LibraryName)] public static partial CublasStatus cublasLtDestroy(nint handle);
    [LibraryImport(LibraryName)] public static partial nuint cublasLtGetVersion();
    [LibraryImport(LibraryName)] public static partial CublasStatus cublasLtGetProperty(LibraryPropertyType type, int* value);
}
