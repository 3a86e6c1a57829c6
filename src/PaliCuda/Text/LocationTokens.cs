using System.Globalization;

namespace PaliCuda.Text;

/// <summary>
/// PaliGemma's location and segmentation tokens: <c>&lt;locNNNN&gt;</c> (NNNN = 0000..1023, a coordinate bin)
/// and <c>&lt;segNNN&gt;</c> (NNN = 000..127, a mask codebook entry).
/// </summary>
public static class LocationTokens
{
    /// <summary>Number of location bins; bin b stands for the coordinate b / (LocationBins - 1) of the image side.</summary>
    public const int LocationBins = 1024;

    /// <summary>Number of segmentation codebook entries.</summary>
    public const int SegmentationCodes = 128;

    /// <summary>Length of a <c>&lt;locNNNN&gt;</c> token.</summary>
    public const int LocationTokenLength = 9;

    /// <summary>Length of a <c>&lt;segNNN&gt;</c> token.</summary>
    public const int SegmentationTokenLength = 8;

    /// <summary>The token text for a location bin.</summary>
    public static string FormatLocation(int bin)
    {
        if ((uint)bin >= LocationBins)
            throw new ArgumentOutOfRangeException(nameof(bin), bin, $"Location bins are 0..{LocationBins - 1}.");
        return string.Create(CultureInfo.InvariantCulture, $"<loc{bin:D4}>");
    }

    /// <summary>The token text for a segmentation code.</summary>
    public static string FormatSegmentation(int code)
    {
        if ((uint)code >= SegmentationCodes)
            throw new ArgumentOutOfRangeException(nameof(code), code, $"Segmentation codes are 0..{SegmentationCodes - 1}.");
        return string.Create(CultureInfo.InvariantCulture, $"<seg{code:D3}>");
    }

    /// <summary>Parses a token that is exactly <c>&lt;locNNNN&gt;</c> with NNNN in 0000..1023.</summary>
    public static bool TryParseLocation(ReadOnlySpan<char> token, out int bin) =>
        TryParse(token, "<loc", 4, LocationBins, out bin);

    /// <summary>Parses a token that is exactly <c>&lt;segNNN&gt;</c> with NNN in 000..127.</summary>
    public static bool TryParseSegmentation(ReadOnlySpan<char> token, out int code) =>
        TryParse(token, "<seg", 3, SegmentationCodes, out code);

    private static bool TryParse(ReadOnlySpan<char> token, string prefix, int digits, int count, out int value)
    {
        value = -1;
        if (token.Length != prefix.Length + digits + 1 || !token.StartsWith(prefix, StringComparison.Ordinal) || token[^1] != '>')
            return false;
        int v = 0;
        foreach (char c in token.Slice(prefix.Length, digits))
        {
            if (c is < '0' or > '9')
                return false;
            v = v * 10 + (c - '0');
        }

        if (v >= count)
            return false;
        value = v;
        return true;
    }
}
