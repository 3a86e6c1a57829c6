namespace PaliCuda.Imaging.Jpeg;

/// <summary>
/// One component's decoded samples: <see cref="Stride"/> × the padded rows of whole blocks, of which the first
/// <see cref="Width"/> × <see cref="Height"/> (libjpeg's downsampled_width/height) are real image data.
/// </summary>
internal sealed record JpegPlane(byte[] Samples, int Stride, int Width, int Height)
{
    public byte this[int x, int y] => Samples[y * Stride + x];
}
