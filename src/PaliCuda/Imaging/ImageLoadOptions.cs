namespace PaliCuda.Imaging;

/// <summary>How <see cref="RgbImageLoader"/> reads an image file.</summary>
public sealed record ImageLoadOptions
{
    /// <summary>Size bounds checked before decoding.</summary>
    public ImageLimits Limits { get; init; } = ImageLimits.Default;

    /// <summary>
    /// Rotate/flip the image as its EXIF Orientation tag says before preprocessing. Off by default because
    /// Hugging Face's <c>SiglipImageProcessor</c> does not apply EXIF orientation (it uses the stored pixel
    /// order), and matching its pixel values is the point; turn it on for photos whose camera orientation
    /// should be honoured, knowing the model then sees something HF would not have shown it.
    /// </summary>
    public bool ApplyExifOrientation { get; init; }

    /// <summary>The defaults: <see cref="ImageLimits.Default"/>, EXIF orientation ignored.</summary>
    public static ImageLoadOptions Default { get; } = new();
}
