using System.Diagnostics;

namespace PaliCuda.Tests.Soak;

/// <summary>What a soak watches for leaks: the managed heap after full collections and the process's open descriptors.</summary>
internal static class ProcessFootprint
{
    public static (long Heap, int Descriptors) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        int descriptors = Directory.Exists("/proc/self/fd")
            ? Directory.GetFileSystemEntries("/proc/self/fd").Length
            : Process.GetCurrentProcess().HandleCount;
        return (heap, descriptors);
    }
}
