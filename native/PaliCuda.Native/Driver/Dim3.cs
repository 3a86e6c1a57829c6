namespace PaliCuda.Native.Driver;

/// <summary>Grid or block dimensions of a kernel launch.</summary>
public readonly record struct Dim3(uint X, uint Y = 1, uint Z = 1)
{
    public static implicit operator Dim3(uint x) => new(x);

    /// <summary>The one-dimensional grid that covers <paramref name="elementCount"/> items with <paramref name="threadsPerBlock"/> threads per block.</summary>
    public static Dim3 GridFor(long elementCount, uint threadsPerBlock)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(elementCount);
        ArgumentOutOfRangeException.ThrowIfZero(threadsPerBlock);
        var blocks = (elementCount + threadsPerBlock - 1) / threadsPerBlock;
        return new Dim3(checked((uint)Math.Max(1, blocks)));
    }

    public override string ToString() => $"({X}, {Y}, {Z})";
}
