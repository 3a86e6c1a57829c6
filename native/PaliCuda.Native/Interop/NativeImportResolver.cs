using System.Reflection;
using System.Runtime.InteropServices;
using PaliCuda.Native.Blas;
using PaliCuda.Native.Driver;

namespace PaliCuda.Native.Interop;

/// <summary>
/// Maps the logical library names used by the <c>[LibraryImport]</c> declarations to the handles our own
/// probing loaded, so the runtime never guesses a different file (e.g. an unversioned dev symlink).
/// </summary>
internal static class NativeImportResolver
{
    private static readonly object Gate = new();
    private static bool registered;

    /// <summary>Called from the static constructor of every import class; registers once per assembly.</summary>
    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (registered)
            {
                return;
            }

            NativeLibrary.SetDllImportResolver(typeof(NativeImportResolver).Assembly, Resolve);
            registered = true;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        var library = libraryName switch
        {
            CudaDriverApi.LibraryName => CudaDriverLibrary.Instance,
            CublasApi.LibraryName => CublasNativeLibraries.Cublas,
            CublasLtApi.LibraryName => CublasNativeLibraries.CublasLt,
            _ => null,
        };

        if (library is null)
        {
            return 0;
        }

        // Returning zero would let the runtime fall back to its own search; a missing library must stay missing.
        return library.IsLoaded ? library.Handle : throw new DllNotFoundException(library.FailureReason);
    }
}
