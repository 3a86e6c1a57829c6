using System.Runtime.InteropServices;
using PaliCuda.Imaging.Jpeg;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace PaliCuda.Imaging;

/// <summary>
/// Reads untrusted image files into <see cref="RgbImage"/> with ImageSharp, the way PIL's
/// <c>Image.open(f).convert("RGB")</c> is used by Hugging Face: alpha is dropped (not composited), grey is
/// replicated to R=G=B, palette/CMYK/16-bit data are converted by ImageSharp's Rgb24 conversion, only the first
/// frame of an animation is used, and EXIF orientation is ignored unless <see cref="ImageLoadOptions.ApplyExifOrientation"/>.
/// </summary>
/// <remarks>
/// Baseline sequential Huffman JPEGs (SOF0/SOF1, 8-bit, grey or YCbCr/RGB, 4:4:4, 4:2:2, 4:4:0 or 4:2:0 sampling)
/// are decoded by our own <see cref="BaselineJpegDecoder"/>, which reproduces Pillow's libjpeg-turbo (integer IDCT, fancy
/// upsampling, its YCbCr tables) bit for bit; a JPEG scan that ends before its last block is refused (libjpeg would
/// pad it with zeros and warn). Every other JPEG (progressive, arithmetic coded, 12-bit, CMYK/YCCK, other sampling
/// factors) and every other format is decoded by ImageSharp. Where PIL and ImageSharp disagree the pixels differ:
/// those other JPEGs (IDCT and chroma upsampling), 16-bit samples (ImageSharp rounds to 8 bits, PIL keeps the high
/// byte of RGB and clips 16-bit grey) and CMYK. Every failure is reported as <see cref="InvalidImageException"/>
/// naming the source.
/// </remarks>
public static class RgbImageLoader
{
    private static readonly Configuration DecoderConfiguration = CreateConfiguration();

    /// <summary>Loads an image file.</summary>
    /// <exception cref="InvalidImageException">The file cannot be read, is empty, not an image, corrupt or too large.</exception>
    public static RgbImage Load(string path, ImageLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= ImageLoadOptions.Default;
        byte[] data;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new InvalidImageException(path, "the file does not exist");
            if (info.Length > options.Limits.MaxFileBytes)
                throw new InvalidImageException(path, $"the file has {info.Length} bytes, more than the limit of {options.Limits.MaxFileBytes}");
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidImageException(path, $"the file cannot be read ({e.Message})", e);
        }

        return Decode(data, path, options);
    }

    /// <summary>Decodes an image held in memory; <paramref name="sourceName"/> is used in error messages.</summary>
    /// <exception cref="InvalidImageException">The bytes are empty, not an image, corrupt or too large.</exception>
    public static RgbImage Decode(byte[] data, string sourceName, ImageLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= ImageLoadOptions.Default;
        if (data.Length == 0)
            throw new InvalidImageException(sourceName, "the file is empty");
        if (data.LongLength > options.Limits.MaxFileBytes)
            throw new InvalidImageException(sourceName, $"it has {data.LongLength} bytes, more than the limit of {options.Limits.MaxFileBytes}");

        IImageInfo? header;
        IImageFormat? format;
        try
        {
            header = Image.Identify(DecoderConfiguration, data, out format);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidImageException(sourceName, $"its header is corrupt ({e.Message})", e);
        }

        if (header is null || format is null)
            throw new InvalidImageException(sourceName, "it is not an image in a supported format (PNG, JPEG, GIF, BMP, TIFF, WebP, TGA, PBM)");
        if (options.Limits.Check(header.Width, header.Height) is { } tooLarge)
            throw new InvalidImageException(sourceName, $"{format.Name} header: {tooLarge}");

        if (format == JpegFormat.Instance && DecodeBaselineJpeg(data, sourceName, options) is { } jpeg)
        {
            if (jpeg.Width != header.Width || jpeg.Height != header.Height)
                throw new InvalidImageException(sourceName, $"the header says {header.Width}x{header.Height} but {jpeg.Width}x{jpeg.Height} pixels were decoded");
            return options.ApplyExifOrientation && header.Metadata.ExifProfile is { } exif ? Orient(jpeg, exif) : jpeg;
        }

        Image<Rgb24> image;
        try
        {
            image = Image.Load<Rgb24>(DecoderConfiguration, data);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Decoders of untrusted input fail in many ways (bad chunks, truncated streams, bad Huffman codes):
            // any of them means the file is unusable, so all are reported the same way with the cause attached.
            throw new InvalidImageException(sourceName, $"the {format.Name} data is corrupt or truncated ({e.Message})", e);
        }

        using (image)
        {
            if (image.Width != header.Width || image.Height != header.Height)
                throw new InvalidImageException(sourceName, $"the header says {header.Width}x{header.Height} but {image.Width}x{image.Height} pixels were decoded");
            if (options.ApplyExifOrientation)
                image.Mutate(x => x.AutoOrient());

            var pixels = new byte[(long)image.Width * image.Height * RgbImage.Channels];
            image.CopyPixelDataTo(MemoryMarshal.Cast<byte, Rgb24>(pixels.AsSpan()));
            return new RgbImage(image.Width, image.Height, pixels);
        }
    }

    /// <summary>Our libjpeg-exact decode, or null when the file uses a JPEG feature it does not cover.</summary>
    private static RgbImage? DecodeBaselineJpeg(byte[] data, string sourceName, ImageLoadOptions options)
    {
        try
        {
            return BaselineJpegDecoder.Decode(data, options.Limits, out _);
        }
        catch (JpegDataException e)
        {
            throw new InvalidImageException(sourceName, $"the JPEG data is corrupt or truncated ({e.Message})", e);
        }
    }

    /// <summary>Applies the EXIF orientation to pixels decoded outside ImageSharp, with ImageSharp's AutoOrient as for every other image.</summary>
    private static RgbImage Orient(RgbImage decoded, ExifProfile exif)
    {
        using var image = Image.LoadPixelData<Rgb24>(DecoderConfiguration, decoded.Pixels, decoded.Width, decoded.Height);
        image.Metadata.ExifProfile = exif;
        image.Mutate(x => x.AutoOrient());
        var pixels = new byte[(long)image.Width * image.Height * RgbImage.Channels];
        image.CopyPixelDataTo(MemoryMarshal.Cast<byte, Rgb24>(pixels.AsSpan()));
        return new RgbImage(image.Width, image.Height, pixels);
    }

    private static Configuration CreateConfiguration()
    {
        // PIL (and so HF) uses the first frame of a multi-frame file; decoding only that frame also keeps a
        // many-frame GIF or TIFF from multiplying the memory the size limits allow.
        var configuration = Configuration.Default.Clone();
        configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
        return configuration;
    }
}
