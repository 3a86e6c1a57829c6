using System.Runtime.InteropServices;
using PaliCuda.Native.Driver;
using PaliCuda.Native.Interop;

namespace PaliCuda.Native.Blas;

/// <summary>
/// Finds cuBLAS and cuBLASLt. Majors 13, 12, 11 are tried newest first; each major is looked for on the
/// loader path, then under <c>$CUDA_PATH</c> and <c>/usr/local/cuda</c>. A major newer than the installed
/// driver's CUDA version is skipped, since it could load but never create a handle.
/// </summary>
internal static class CublasNativeLibraries
{
    /// <summary>Newest first.</summary>
    private static readonly int[] SupportedMajors = [13, 12, 11];

    private static readonly Lazy<LoadedNativeLibrary> CublasLoaded = new(() => Load("cuBLAS", CublasFileName));
    private static readonly Lazy<LoadedNativeLibrary> CublasLtLoaded = new(() => Load("cuBLASLt", CublasLtFileName));

    public static LoadedNativeLibrary Cublas => CublasLoaded.Value;

    public static LoadedNativeLibrary CublasLt => CublasLtLoaded.Value;

    public static string CublasFileName(int major) => OperatingSystem.IsWindows() ? $"cublas64_{major}.dll" : $"libcublas.so.{major}";

    public static string CublasLtFileName(int major) => OperatingSystem.IsWindows() ? $"cublasLt64_{major}.dll" : $"libcublasLt.so.{major}";

    /// <summary>The majors to try: all supported ones up to the driver's CUDA major when the driver reports it.</summary>
    public static IReadOnlyList<int> CandidateMajors()
    {
        var driverMajor = DriverMajorOrNull();
        return driverMajor is { } limit ? SupportedMajors.Where(m => m <= limit).ToArray() : SupportedMajors;
    }

    private static LoadedNativeLibrary Load(string what, Func<int, string> fileName)
    {
        var candidates = new List<NativeLibraryCandidate>();
        foreach (var major in CandidateMajors())
        {
            candidates.Add(new NativeLibraryCandidate(fileName(major), null));
            candidates.AddRange(NativeLibraryLoader.ToolkitLibraryDirectories().Select(d => new NativeLibraryCandidate(fileName(major), d)));
        }

        // cuBLAS needs the cuBLASLt of its own release; loading that first from the same folder lets the
        // dependency resolve even when the folder is not on the loader path.
        return NativeLibraryLoader.LoadFirst(what, candidates, PreloadCompanionLt);
    }

    private static void PreloadCompanionLt(NativeLibraryCandidate candidate)
    {
        if (candidate.Directory is null)
        {
            return;
        }

        foreach (var major in SupportedMajors)
        {
            if (candidate.FileName == CublasFileName(major))
            {
                var companion = Path.Combine(candidate.Directory, CublasLtFileName(major));
                if (File.Exists(companion))
                {
                    NativeLibrary.TryLoad(companion, out _);
                }
            }
        }
    }

    private static unsafe int? DriverMajorOrNull()
    {
        if (!CudaDriverLibrary.Instance.IsLoaded)
        {
            return null;
        }

        int version = 0;
        return CudaDriverApi.cuDriverGetVersion(&version) == CuResult.Success && version > 0 ? version / 1000 : null;
    }
}
