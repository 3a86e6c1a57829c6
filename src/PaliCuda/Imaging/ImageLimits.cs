namespace PaliCuda.Imaging;

/// <summary>
/// Bounds an untrusted image must respect before it is decoded. The header is read first
/// (<c>Image.Identify</c>) and checked against these, so a small file that claims a huge size is refused
/// without allocating its pixels.
/// </summary>
public sealed record ImageLimits
{
    /// <summary>Largest accepted width in pixels.</summary>
    public int MaxWidth { get; init; } = 16384;

    /// <summary>Largest accepted height in pixels.</summary>
    public int MaxHeight { get; init; } = 16384;

    /// <summary>Largest accepted width × height (100 megapixels by default, about 300 MB as RGB).</summary>
    public long MaxPixels { get; init; } = 100_000_000;

    /// <summary>Largest accepted file size in bytes (256 MiB by default).</summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The default limits.</summary>
    public static ImageLimits Default { get; } = new();

    /// <summary>Returns what is wrong with an image of this size, or null when it is within the limits.</summary>
    public string? Check(int width, int height)
    {
        if (width <= 0 || height <= 0)
            return $"it claims a size of {width}x{height} pixels";
        if (width > MaxWidth)
            return $"its width {width} exceeds the limit of {MaxWidth} pixels";
        if (height > MaxHeight)
            return $"its height {height} exceeds the limit of {MaxHeight} pixels";
        long pixels = (long)width * height;
        if (pixels > MaxPixels)
            return $"its {width}x{height} = {pixels} pixels exceed the limit of {MaxPixels}";
        return null;
    }
}
