using System.Numerics.Tensors;

namespace PaliCuda.Numerics;

/// <summary>Span conversions between IEEE half precision and float32 (widening is exact).</summary>
public static class HalfConversions
{
    public static void ToSingle(ReadOnlySpan<Half> source, Span<float> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, source {source.Length}", nameof(destination));
        TensorPrimitives.ConvertToSingle(source, destination[..source.Length]);
    }

    /// <summary>Round to nearest even, as <see cref="Half"/>'s own conversion does.</summary>
    public static void FromSingle(ReadOnlySpan<float> source, Span<Half> destination)
    {
        if (destination.Length < source.Length)
            throw new ArgumentException($"destination has {destination.Length} elements, source {source.Length}", nameof(destination));
        TensorPrimitives.ConvertToHalf(source, destination[..source.Length]);
    }
}
