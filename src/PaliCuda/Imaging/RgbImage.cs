namespace PaliCuda.Imaging;

/// <summary>An 8-bit RGB image stored row-major as interleaved R, G, B bytes (HWC).</summary>
public sealed class RgbImage
{
    /// <summary>Bytes per pixel.</summary>
    public const int Channels = 3;

    /// <summary>Wraps <paramref name="pixels"/> (not copied), which must hold exactly width × height × 3 bytes.</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (width <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be positive.");
        if (height <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), height, "The height must be positive.");
        if (pixels.LongLength != (long)width * height * Channels)
            throw new ArgumentException($"A {width}x{height} RGB image needs {(long)width * height * Channels} bytes, got {pixels.LongLength}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The pixel bytes, (y × Width + x) × 3 + channel.</summary>
    public byte[] Pixels { get; }
}
