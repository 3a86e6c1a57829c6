namespace PaliCuda.Emulation;

/// <summary>
/// The emulator's generic address layout. Global allocations live at and above <see cref="HeapBase"/>;
/// generic addresses of shared and local memory are the state-space offsets plus a window base, as on the
/// GPU, so cvta and generic loads/stores can tell the spaces apart.
/// </summary>
internal static class AddressMap
{
    public const ulong SharedWindow = 0x0000_0100_0000_0000UL;
    public const ulong LocalWindow = 0x0000_0200_0000_0000UL;
    /// <summary>Each window spans 4 GiB: shared and local offsets are 32-bit.</summary>
    public const ulong WindowSize = 0x1_0000_0000UL;
    public const ulong HeapBase = 0x0000_7000_0000_0000UL;

    public static bool InShared(ulong generic) => generic - SharedWindow < WindowSize;

    public static bool InLocal(ulong generic) => generic - LocalWindow < WindowSize;
}
