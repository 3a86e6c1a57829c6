using System.CommandLine;
using PaliCuda.Kernels;
using PaliCuda.Native.Blas;
using PaliCuda.Native.Driver;
using Spectre.Console;

namespace PaliCuda.Cli.Commands;

/// <summary>
/// <c>palicuda info</c>: what this machine offers (driver, devices, cuBLAS) and what this build carries (kernel
/// modules and their entry points). Without a GPU it says so, with the reason, and still exits 0.
/// </summary>
public static class InfoCommand
{
    public static Command Create() => ReportCommand.Create("info", "Show the CUDA driver, devices, cuBLAS and the embedded kernels", Write);

    public static void Write(TextWriter output)
    {
        var console = SpectreConsoles.For(output);
        var cuda = CudaDriver.Probe();
        console.WriteLine($"CUDA driver: {(cuda.LibraryLoaded ? $"version {cuda.DriverVersionText}" : "not loaded")}");
        if (!cuda.Available)
            console.WriteLine($"no CUDA device: {cuda.Reason}");
        else
            console.Write(DeviceTable(cuda.Devices));

        var blas = CublasLibrary.Probe();
        console.WriteLine(blas.Available ? $"cuBLAS: {blas.Version} ({blas.LoadedFrom})" : $"cuBLAS: not available: {blas.Reason}");

        var archs = EmbeddedPtx.Modules.SelectMany(EmbeddedPtx.BinaryArchitectures).Distinct().Order(StringComparer.Ordinal).ToArray();
        console.WriteLine($"Kernel modules embedded: {EmbeddedPtx.Modules.Count} (PTX for compute_80; machine code for {(archs.Length > 0 ? string.Join(", ", archs) : "no architecture")}, " +
            "loaded instead of the PTX JIT on devices of that architecture)");
        console.Write(KernelTable());
    }

    private static Table DeviceTable(IReadOnlyList<CudaDeviceInfo> devices)
    {
        var table = new Table().AddColumns("#", "name", "sm", "SMs", "memory", "L2", "smem/block opt-in", "peak DRAM");
        foreach (var d in devices)
        {
            table.AddRow(
                d.Ordinal.ToString(),
                Markup.Escape(d.Name),
                $"{d.ComputeCapability.Major}.{d.ComputeCapability.Minor}",
                d.SmCount.ToString(),
                $"{d.TotalMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB",
                $"{d.L2CacheBytes / (1024.0 * 1024):F0} MiB",
                $"{d.MaxSharedMemoryPerBlockOptin / 1024} KiB",
                d.PeakMemoryBandwidthBytesPerSecond is { } bw ? $"{bw / 1e9:F0} GB/s" : "unknown");
        }
        return table;
    }

    private static Table KernelTable()
    {
        var table = new Table().AddColumns("module", "entry point");
        foreach (var entry in KernelCatalog.Entries)
            table.AddRow(Markup.Escape(entry.Module), Markup.Escape(entry.Signature));
        return table;
    }
}
