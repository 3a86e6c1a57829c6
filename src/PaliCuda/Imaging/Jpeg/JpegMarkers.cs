namespace PaliCuda.Imaging.Jpeg;

/// <summary>Finds markers in a JPEG stream: 0xFF (any number of fill 0xFF) then a code other than 0x00 and 0xFF.</summary>
internal static class JpegMarkers
{
    /// <summary>
    /// The code of the first marker at or after <paramref name="start"/> (skipping entropy-coded bytes and stuffed
    /// 0xFF 0x00 pairs, as libjpeg's next_marker does), or -1 at the end of the data; <paramref name="at"/> is the
    /// offset of the 0xFF directly before the code.
    /// </summary>
    public static int FindNext(byte[] data, int start, out int at)
    {
        for (int p = Math.Max(start, 0); p + 1 < data.Length; p++)
        {
            if (data[p] != 0xFF)
                continue;
            int code = data[p + 1];
            if (code != 0x00 && code != 0xFF)
            {
                at = p;
                return code;
            }
        }

        at = data.Length;
        return -1;
    }
}
