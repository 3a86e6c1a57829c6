namespace PaliCuda.Kernels;

/// <summary>What ptxas -v said about one entry point of one module for one architecture.</summary>
public sealed record PtxasEntryReport(
    string Module,
    string Arch,
    string Entry,
    int Registers,
    int StackFrameBytes,
    int SpillStoreBytes,
    int SpillLoadBytes,
    int SharedMemoryBytes)
{
    /// <summary>Spills mean local-memory traffic in the hot loop: worth a look whenever non-zero.</summary>
    public bool Spills => SpillStoreBytes > 0 || SpillLoadBytes > 0;
}
