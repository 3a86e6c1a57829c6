namespace PaliCuda.Native.Driver;

/// <summary>A device's compute capability, e.g. 8.0 for A100 or 9.0 for H100.</summary>
public readonly record struct ComputeCapability(int Major, int Minor) : IComparable<ComputeCapability>
{
    /// <summary>The <c>sm_XY</c> number, e.g. 80 or 90.</summary>
    public int SmVersion => Major * 10 + Minor;

    public int CompareTo(ComputeCapability other) => SmVersion.CompareTo(other.SmVersion);

    public override string ToString() => $"{Major}.{Minor}";
}
