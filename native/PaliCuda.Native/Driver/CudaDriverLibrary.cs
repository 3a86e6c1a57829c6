using PaliCuda.Native.Interop;

namespace PaliCuda.Native.Driver;

/// <summary>Loads the CUDA driver library once: <c>libcuda.so.1</c> on Linux, <c>nvcuda.dll</c> on Windows.</summary>
internal static class CudaDriverLibrary
{
    private static readonly Lazy<LoadedNativeLibrary> Loaded = new(Load);

    /// <summary>The platform's file name for the driver library.</summary>
    public static string FileName => OperatingSystem.IsWindows() ? "nvcuda.dll" : "libcuda.so.1";

    public static LoadedNativeLibrary Instance => Loaded.Value;

    /// <summary>Throws <see cref="DllNotFoundException"/> carrying the probe's reason when the driver is absent.</summary>
    public static void Require()
    {
        if (!Instance.IsLoaded)
        {
            throw new DllNotFoundException(Instance.FailureReason);
        }
    }

    private static LoadedNativeLibrary Load()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
        {
            return LoadedNativeLibrary.Missing($"the CUDA driver is not available on {Environment.OSVersion.Platform}");
        }

        // The driver is installed with the display driver, never in a toolkit folder: the loader path only.
        var result = NativeLibraryLoader.LoadFirst(FileName, [new NativeLibraryCandidate(FileName, null)]);
        return result.IsLoaded ? result : LoadedNativeLibrary.Missing($"{FileName} not found");
    }
}
