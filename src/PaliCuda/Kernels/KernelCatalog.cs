namespace PaliCuda.Kernels;

/// <summary>
/// The launcher table: every kernel entry point the engine may launch. The tests hold it equal,
/// in both directions, to the <c>.entry</c> declarations of the embedded PTX, so a kernel whose
/// signature changes without this table changing fails the build's tests instead of a launch.
/// </summary>
public static class KernelCatalog
{
    // Pointers are u64; nvcc declares C int as u32 and float as f32.
    public static IReadOnlyList<KernelEntry> Entries { get; } =
    [
        new("smoke", "palicuda_smoke_axpy", [PtxParam.U64, PtxParam.U64, PtxParam.F32, PtxParam.U32]),
    ];

    /// <summary>The entry named <paramref name="name"/>.</summary>
    /// <exception cref="KernelNotFoundException">No entry has that name.</exception>
    public static KernelEntry Get(string name) =>
        Entries.FirstOrDefault(e => e.Name == name)
        ?? throw new KernelNotFoundException(
            $"Kernel entry '{name}' is not in the launcher table (KernelCatalog); known entries: {string.Join(", ", Entries.Select(e => e.Name))}.");

    /// <summary>The module stems the table refers to.</summary>
    public static IReadOnlyList<string> Modules => Entries.Select(e => e.Module).Distinct().ToArray();

    /// <summary>The entries that live in module <paramref name="module"/>.</summary>
    public static IReadOnlyList<KernelEntry> InModule(string module) => Entries.Where(e => e.Module == module).ToArray();
}
