namespace PaliCuda.Imaging.Jpeg;

/// <summary>
/// The JPEG stream is corrupt or truncated; <see cref="RgbImageLoader"/> turns it into an
/// <see cref="InvalidImageException"/> naming the file.
/// </summary>
internal sealed class JpegDataException(string problem) : Exception(problem);
