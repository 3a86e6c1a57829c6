namespace PaliCuda.Imaging;

/// <summary>A preprocessed image ready for the vision tower: float32 CHW values in [-1, 1] of shape [3, Size, Size].</summary>
public sealed class PixelValues
{
    /// <summary>Wraps <paramref name="data"/> (not copied), which must hold 3 × size × size values.</summary>
    public PixelValues(float[] data, int size)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (size <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "The size must be positive.");
        if (data.LongLength != 3L * size * size)
            throw new ArgumentException($"Pixel values of size {size} need {3L * size * size} floats, got {data.LongLength}.", nameof(data));
        Data = data;
        Size = size;
    }

    /// <summary>The values, index (channel × Size + y) × Size + x.</summary>
    public float[] Data { get; }

    /// <summary>Height and width of the square image.</summary>
    public int Size { get; }
}
