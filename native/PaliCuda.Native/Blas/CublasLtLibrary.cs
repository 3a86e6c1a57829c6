using static PaliCuda.Native.Blas.CublasCheck;

namespace PaliCuda.Native.Blas;

/// <summary>Discovery of cuBLASLt. Probing never throws and needs no device.</summary>
public static unsafe class CublasLtLibrary
{
    public static CublasAvailability Probe()
    {
        var library = CublasNativeLibraries.CublasLt;
        if (!library.IsLoaded)
        {
            return new CublasAvailability(false, null, null, library.FailureReason);
        }

        try
        {
            var version = GetVersion();
            return new CublasAvailability(true, library.Source!.LoadPath, version, $"cuBLASLt {version} from {library.Source.Description}");
        }
        catch (Exception e) when (e is CublasException or EntryPointNotFoundException)
        {
            return new CublasAvailability(false, library.Source!.LoadPath, null, e.Message);
        }
    }

    /// <summary>The loaded cuBLASLt's version (no handle or device needed).</summary>
    public static Version GetVersion()
    {
        Require();
        int major = 0, minor = 0, patch = 0;
        Check(CublasLtApi.cublasLtGetProperty(LibraryPropertyType.MajorVersion, &major));
        Check(CublasLtApi.cublasLtGetProperty(LibraryPropertyType.MinorVersion, &minor));
        Check(CublasLtApi.cublasLtGetProperty(LibraryPropertyType.PatchLevel, &patch));
        return new Version(major, minor, patch);
    }

    /// <summary>The raw <c>cublasLtGetVersion()</c> number (<c>major × 10000 + minor × 100 + patch</c>).</summary>
    public static long GetVersionNumber()
    {
        Require();
        return (long)CublasLtApi.cublasLtGetVersion();
    }

    internal static void Require()
    {
        if (!CublasNativeLibraries.CublasLt.IsLoaded)
        {
            throw new DllNotFoundException(CublasNativeLibraries.CublasLt.FailureReason);
        }
    }
}
