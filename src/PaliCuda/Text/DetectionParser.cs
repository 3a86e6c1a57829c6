namespace PaliCuda.Text;

/// <summary>
/// Parses PaliGemma detection answers: objects separated by <c>;</c>, each being four location tokens
/// <c>&lt;locY0&gt;&lt;locX0&gt;&lt;locY1&gt;&lt;locX1&gt;</c> followed by a label, e.g.
/// <c>"&lt;loc0268&gt;&lt;loc0303&gt;&lt;loc0588&gt;&lt;loc0542&gt; square ; &lt;loc0659&gt;…"</c>.
/// A bin b maps to b / 1023 × height (y) or × width (x), as big_vision does.
/// </summary>
/// <remarks>
/// Tolerant by design, because the text comes from a model: an object that does not start with four valid
/// location tokens (too few, a bin above 1023, other text in front) is skipped and the well-formed ones are
/// returned. Segmentation tokens (<c>&lt;segNNN&gt;</c>) between the boxes and the label, as in
/// <c>segment</c> answers, are skipped so they never end up in the label. Empty input gives no boxes.
/// </remarks>
public static class DetectionParser
{
    private const int CoordinatesPerBox = 4;
    private const double MaxBin = LocationTokens.LocationBins - 1;

    /// <summary>Parses <paramref name="text"/> for an image of the given size in pixels.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The image size is not positive.</exception>
    public static IReadOnlyList<DetectedBox> Parse(string text, int imageWidth, int imageHeight)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (imageWidth <= 0)
            throw new ArgumentOutOfRangeException(nameof(imageWidth), imageWidth, "The image width must be positive.");
        if (imageHeight <= 0)
            throw new ArgumentOutOfRangeException(nameof(imageHeight), imageHeight, "The image height must be positive.");

        var boxes = new List<DetectedBox>();
        foreach (var part in text.Split(';'))
        {
            if (TryParseObject(part.AsSpan().Trim(), imageWidth, imageHeight) is { } box)
                boxes.Add(box);
        }

        return boxes;
    }

    private static DetectedBox? TryParseObject(ReadOnlySpan<char> item, int width, int height)
    {
        Span<int> bins = stackalloc int[CoordinatesPerBox];
        int pos = 0;
        for (int i = 0; i < CoordinatesPerBox; i++)
        {
            if (item.Length - pos < LocationTokens.LocationTokenLength
                || !LocationTokens.TryParseLocation(item.Slice(pos, LocationTokens.LocationTokenLength), out bins[i]))
                return null;
            pos += LocationTokens.LocationTokenLength;
        }

        while (item.Length - pos >= LocationTokens.SegmentationTokenLength
               && LocationTokens.TryParseSegmentation(item.Slice(pos, LocationTokens.SegmentationTokenLength), out _))
            pos += LocationTokens.SegmentationTokenLength;

        string label = item[pos..].Trim().ToString();
        return new DetectedBox(
            label,
            XMin: bins[1] / MaxBin * width,
            YMin: bins[0] / MaxBin * height,
            XMax: bins[3] / MaxBin * width,
            YMax: bins[2] / MaxBin * height);
    }
}
