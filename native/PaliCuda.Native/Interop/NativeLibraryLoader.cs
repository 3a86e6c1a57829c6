using System.Runtime.InteropServices;

namespace PaliCuda.Native.Interop;

/// <summary>Tries an ordered list of candidates and keeps the first that loads.</summary>
internal static class NativeLibraryLoader
{
    /// <summary>Never throws: a library that is absent comes back as <see cref="LoadedNativeLibrary.Missing"/>.</summary>
    /// <param name="what">The library in words, for the failure reason.</param>
    /// <param name="candidates">Where to look, in order.</param>
    /// <param name="beforeLoad">Runs before each existing candidate is tried (e.g. to preload a dependency from the same folder).</param>
    public static LoadedNativeLibrary LoadFirst(string what, IReadOnlyList<NativeLibraryCandidate> candidates, Action<NativeLibraryCandidate>? beforeLoad = null)
    {
        foreach (var candidate in candidates)
        {
            if (candidate.Directory is not null && !File.Exists(candidate.LoadPath))
            {
                continue;
            }

            beforeLoad?.Invoke(candidate);
            if (NativeLibrary.TryLoad(candidate.LoadPath, out var handle))
            {
                return LoadedNativeLibrary.Loaded(handle, candidate);
            }
        }

        var tried = string.Join(", ", candidates.Select(c => c.Description).Distinct());
        return LoadedNativeLibrary.Missing($"{what} not found (tried {tried})");
    }

    /// <summary>The CUDA toolkit library folders to search after the loader path, in order, without duplicates.</summary>
    public static IReadOnlyList<string> ToolkitLibraryDirectories()
    {
        var directories = new List<string>();
        var cudaPath = Environment.GetEnvironmentVariable("CUDA_PATH");
        if (OperatingSystem.IsWindows())
        {
            if (!string.IsNullOrWhiteSpace(cudaPath))
            {
                directories.Add(Path.Combine(cudaPath, "bin"));
                directories.Add(Path.Combine(cudaPath, "bin", "x64"));
            }
        }
        else
        {
            if (!string.IsNullOrWhiteSpace(cudaPath))
            {
                directories.Add(Path.Combine(cudaPath, "lib64"));
            }

            directories.Add("/usr/local/cuda/lib64");
        }

        return directories.Distinct(StringComparer.Ordinal).ToList();
    }
}
