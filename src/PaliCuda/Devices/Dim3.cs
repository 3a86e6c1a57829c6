namespace PaliCuda.Devices;

/// <summary>A CUDA grid or block extent; unused dimensions are 1.</summary>
public readonly record struct Dim3(uint X, uint Y = 1, uint Z = 1)
{
    /// <summary>X * Y * Z.</summary>
    public long Volume => (long)X * Y * Z;

    public static implicit operator Dim3(uint x) => new(x);

    public static implicit operator Dim3(int x) => x > 0
        ? new Dim3((uint)x)
        : throw new ArgumentOutOfRangeException(nameof(x), $"A launch dimension must be positive, got {x}.");

    public override string ToString() => $"({X},{Y},{Z})";
}
