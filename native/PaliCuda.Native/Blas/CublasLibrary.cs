using static PaliCuda.Native.Blas.CublasCheck;

namespace PaliCuda.Native.Blas;

/// <summary>Discovery of cuBLAS. Probing never throws and needs no device.</summary>
public static unsafe class CublasLibrary
{
    public static CublasAvailability Probe()
    {
        var library = CublasNativeLibraries.Cublas;
        if (!library.IsLoaded)
        {
            return new CublasAvailability(false, null, null, library.FailureReason);
        }

        try
        {
            var version = GetVersion();
            return new CublasAvailability(true, library.Source!.LoadPath, version, $"cuBLAS {version} from {library.Source.Description}");
        }
        catch (Exception e) when (e is CublasException or EntryPointNotFoundException)
        {
            return new CublasAvailability(false, library.Source!.LoadPath, null, e.Message);
        }
    }

    /// <summary>The loaded cuBLAS's version, via <c>cublasGetProperty</c> (no handle or device needed).</summary>
    public static Version GetVersion()
    {
        Require();
        int major = 0, minor = 0, patch = 0;
        Check(CublasApi.cublasGetProperty(LibraryPropertyType.MajorVersion, &major));
        Check(CublasApi.cublasGetProperty(LibraryPropertyType.MinorVersion, &minor));
        Check(CublasApi.cublasGetProperty(LibraryPropertyType.PatchLevel, &patch));
        return new Version(major, minor, patch);
    }

    /// <summary>Whether this cuBLAS can be given a user workspace (<c>cublasSetWorkspace_v2</c>).</summary>
    public static bool SupportsSetWorkspace => CublasOptionalApi.SetWorkspace is not null;

    internal static void Require()
    {
        if (!CublasNativeLibraries.Cublas.IsLoaded)
        {
            throw new DllNotFoundException(CublasNativeLibraries.Cublas.FailureReason);
        }
    }
}
