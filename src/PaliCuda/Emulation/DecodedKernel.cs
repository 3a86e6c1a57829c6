using PaliCuda.Devices;

namespace PaliCuda.Emulation;

/// <summary>A kernel ready to interpret: flat instruction array, register layout and memory layout.</summary>
internal sealed class DecodedKernel
{
    public required string Name { get; init; }
    public required string ModuleName { get; init; }
    public required DecodedInstruction[] Code { get; init; }
    public required int[] VectorPool { get; init; }
    public required int RegisterCount { get; init; }
    /// <summary>Registers holding immediates and symbol addresses, with their values.</summary>
    public required (int Register, ulong Value)[] Constants { get; init; }
    public required (int Register, SpecialRegister Kind)[] Specials { get; init; }
    public required IReadOnlyList<KernelParameterInfo> Parameters { get; init; }
    public required int StaticSharedBytes { get; init; }
    /// <summary>Offset of the dynamic (extern) shared array, after the static variables.</summary>
    public required int DynamicSharedOffset { get; init; }
    public required int LocalBytes { get; init; }
    /// <summary>Upper bound on block size from .maxntid/.reqntid, or 0 when not given.</summary>
    public required int DeclaredMaxThreads { get; init; }
    /// <summary>The .const bank of the module (shared by its kernels).</summary>
    public required MemoryRegion ConstBank { get; init; }
    public required string[] SourceLines { get; init; }
    /// <summary>PTX name of each register index (null for constants, specials and sinks).</summary>
    public required string?[] RegisterNames { get; init; }
    /// <summary>Declared type of each named register (None for the others).</summary>
    public required PtxType[] RegisterTypes { get; init; }
    /// <summary>The .maxntid/.reqntid directive, when the kernel has one.</summary>
    public PtxBlockShapeSyntax? BlockShape { get; init; }

    public string LineText(int line) => line >= 1 && line <= SourceLines.Length ? SourceLines[line - 1].Trim() : "";
}
