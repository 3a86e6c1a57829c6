namespace PaliCuda.Imaging;

/// <summary>
/// Turns an image into PaliGemma pixel values exactly as Hugging Face's <c>SiglipImageProcessor</c> does with
/// PaliGemma's settings: RGB conversion, resize to Size × Size with Pillow's BICUBIC
/// (<see cref="PilBicubicResampler"/>), rescale by 1/255 (computed in float64, stored as float32), normalise
/// with mean 0.5 and std 0.5 in float32, CHW layout.
/// </summary>
public sealed class SiglipImageProcessor
{
    // Every output value depends only on one byte, so the u8 -> float mapping is a 256-entry table.
    private static readonly float[] ByteToValue = BuildTable();

    private readonly ImageLoadOptions _options;

    /// <summary>Creates a processor for square model inputs of <paramref name="size"/> pixels.</summary>
    public SiglipImageProcessor(int size, ImageLoadOptions? options = null)
    {
        if (size <= 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "The image size must be positive.");
        Size = size;
        _options = options ?? ImageLoadOptions.Default;
    }

    /// <summary>Height and width of the model input.</summary>
    public int Size { get; }

    /// <summary>Limits and orientation handling used when this processor loads files.</summary>
    public ImageLoadOptions Options => _options;

    /// <summary>Loads and preprocesses an image file.</summary>
    /// <exception cref="InvalidImageException">The file is not a usable image.</exception>
    public PixelValues Preprocess(string path) => Preprocess(RgbImageLoader.Load(path, _options));

    /// <summary>Preprocesses an already decoded image.</summary>
    public PixelValues Preprocess(RgbImage image) => ToPixelValues(Resize(image));

    /// <summary>The resize step alone: the 8-bit image HF's processor rescales and normalises.</summary>
    public RgbImage Resize(RgbImage image) => PilBicubicResampler.Resize(image, Size, Size);

    /// <summary>The value HF's processor produces for one 8-bit sample.</summary>
    public static float ToPixelValue(byte sample) => ByteToValue[sample];

    /// <summary>Rescales and normalises a Size × Size image into CHW float32 values.</summary>
    public PixelValues ToPixelValues(RgbImage resized)
    {
        ArgumentNullException.ThrowIfNull(resized);
        if (resized.Width != Size || resized.Height != Size)
            throw new ArgumentException($"Expected a {Size}x{Size} image, got {resized.Width}x{resized.Height}.", nameof(resized));
        int plane = Size * Size;
        var data = new float[3 * plane];
        byte[] src = resized.Pixels;
        for (int i = 0; i < plane; i++)
        {
            data[i] = ByteToValue[src[i * 3]];
            data[plane + i] = ByteToValue[src[i * 3 + 1]];
            data[2 * plane + i] = ByteToValue[src[i * 3 + 2]];
        }

        return new PixelValues(data, Size);
    }

    private static float[] BuildTable()
    {
        const double rescaleFactor = 1.0 / 255.0;
        const float mean = 0.5f, std = 0.5f;
        var table = new float[256];
        for (int v = 0; v < 256; v++)
        {
            float rescaled = (float)(v * rescaleFactor);
            table[v] = (rescaled - mean) / std;
        }

        return table;
    }
}
