using PaliCuda.Kernels;

namespace PaliCuda.Benchmarking;

/// <summary>One variant's row of <see cref="VariantComparison"/>: its error against the CPU reference, its timing and its ptxas resources.</summary>
public sealed record VariantResult(string Variant, double RelativeError, double MaxAbsError, KernelMeasurement Timing, IReadOnlyList<PtxasEntryReport> Resources)
{
    public int MaxRegisters => Resources.Count == 0 ? 0 : Resources.Max(r => r.Registers);
    public int SpillBytes => Resources.Sum(r => r.SpillStoreBytes + r.SpillLoadBytes);
}
