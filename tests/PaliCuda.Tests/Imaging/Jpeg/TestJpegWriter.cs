namespace PaliCuda.Tests.Imaging.Jpeg;

/// <summary>
/// A small baseline JPEG encoder for tests, covering what ImageSharp's encoder cannot write: restart intervals,
/// one scan per component, 1×2 sampling and Adobe/JFIF colour markers. Samples are given per component at the
/// component's own resolution; the forward DCT is the textbook one in double precision, every coefficient is divided
/// by one quantiser and rounded, and the Huffman tables are flat (4-bit DC codes, 8-bit AC codes).
/// </summary>
internal sealed class TestJpegWriter
{
    /// <summary>A component: id, sampling factors and samples (width × height of the component, row-major).</summary>
    public sealed record Component(int Id, int Horizontal, int Vertical, byte[] Samples, int Width, int Height);

    public int RestartInterval { get; init; }
    public bool OneScanPerComponent { get; init; }
    public int Quantiser { get; init; } = 1;
    public bool Jfif { get; init; } = true;
    public int? AdobeTransform { get; init; }

    private static readonly byte[] AcSymbols =
        [0x00, 0xF0, .. Enumerable.Range(0, 16).SelectMany(r => Enumerable.Range(1, 10).Select(s => (byte)(r << 4 | s)))];

    private readonly List<byte> _out = [];
    private ulong _bits;
    private int _bitCount;

    public byte[] Write(int width, int height, params Component[] components)
    {
        _out.Clear();
        Bytes(0xFF, 0xD8);
        if (Jfif)
            Segment(0xE0, [.. "JFIF\0"u8.ToArray(), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        if (AdobeTransform is { } transform)
            Segment(0xEE, [.. "Adobe"u8.ToArray(), 0, 100, 0, 0, 0, 0, (byte)transform]);
        Segment(0xDB, [0, .. Enumerable.Repeat((byte)Quantiser, 64)]);
        var sof = new List<byte> { 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, (byte)components.Length };
        foreach (var c in components)
            sof.AddRange([(byte)c.Id, (byte)(c.Horizontal << 4 | c.Vertical), 0]);
        Segment(0xC0, [.. sof]);
        var dcCounts = new byte[16];
        dcCounts[3] = 12;
        var acCounts = new byte[16];
        acCounts[7] = (byte)AcSymbols.Length;
        Segment(0xC4, [0x00, .. dcCounts, .. Enumerable.Range(0, 12).Select(i => (byte)i), 0x10, .. acCounts, .. AcSymbols]);
        if (RestartInterval > 0)
            Segment(0xDD, [(byte)(RestartInterval >> 8), (byte)RestartInterval]);

        int maxH = components.Max(c => c.Horizontal), maxV = components.Max(c => c.Vertical);
        var scans = OneScanPerComponent ? components.Select(c => new[] { c }).ToArray() : [components];
        foreach (var scan in scans)
        {
            Segment(0xDA, [(byte)scan.Length, .. scan.SelectMany(c => new[] { (byte)c.Id, (byte)0x00 }), 0, 63, 0]);
            WriteScan(scan, width, height, maxH, maxV);
        }

        Bytes(0xFF, 0xD9);
        return [.. _out];
    }

    private void WriteScan(Component[] scan, int width, int height, int maxH, int maxV)
    {
        bool interleaved = scan.Length > 1;
        int mcusX = interleaved ? (width + 8 * maxH - 1) / (8 * maxH) : (scan[0].Width + 7) / 8;
        int mcusY = interleaved ? (height + 8 * maxV - 1) / (8 * maxV) : (scan[0].Height + 7) / 8;
        var predictors = new int[scan.Length];
        int restart = 0;
        for (int mcu = 0; mcu < mcusX * mcusY; mcu++)
        {
            if (RestartInterval > 0 && mcu > 0 && mcu % RestartInterval == 0)
            {
                FlushBits();
                Bytes(0xFF, (byte)(0xD0 + restart));
                restart = (restart + 1) & 7;
                Array.Clear(predictors);
            }

            int mx = mcu % mcusX, my = mcu / mcusX;
            for (int i = 0; i < scan.Length; i++)
            {
                var c = scan[i];
                int bw = interleaved ? c.Horizontal : 1, bh = interleaved ? c.Vertical : 1;
                for (int by = 0; by < bh; by++)
                {
                    for (int bx = 0; bx < bw; bx++)
                        EncodeBlock(Forward(c, (mx * bw + bx) * 8, (my * bh + by) * 8), ref predictors[i]);
                }
            }
        }

        FlushBits();
    }

    /// <summary>Quantised coefficients (natural order) of the block at (x0, y0), the component's edge samples repeated beyond it.</summary>
    private int[] Forward(Component c, int x0, int y0)
    {
        var result = new int[64];
        for (int v = 0; v < 8; v++)
        {
            for (int u = 0; u < 8; u++)
            {
                double sum = 0;
                for (int y = 0; y < 8; y++)
                {
                    for (int x = 0; x < 8; x++)
                    {
                        int sx = Math.Min(x0 + x, c.Width - 1), sy = Math.Min(y0 + y, c.Height - 1);
                        sum += (c.Samples[sy * c.Width + sx] - 128) * Math.Cos((2 * x + 1) * u * Math.PI / 16) * Math.Cos((2 * y + 1) * v * Math.PI / 16);
                    }
                }

                double cu = u == 0 ? Math.Sqrt(0.5) : 1, cv = v == 0 ? Math.Sqrt(0.5) : 1;
                result[v * 8 + u] = (int)Math.Round(sum * cu * cv / 4 / Quantiser);
            }
        }

        return result;
    }

    private static int Category(int value) => value == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(value));

    private void EncodeValue(int value, int category)
    {
        if (category > 0)
            Bits(value >= 0 ? value : value + (1 << category) - 1, category);
    }

    private void EncodeBlock(int[] coefficients, ref int predictor)
    {
        int diff = coefficients[0] - predictor;
        predictor = coefficients[0];
        int dcCategory = Category(diff);
        Bits(dcCategory, 4); // DC symbol i has the 4-bit code i
        EncodeValue(diff, dcCategory);
        int run = 0;
        for (int k = 1; k < 64; k++)
        {
            int value = coefficients[ZigZagToNatural[k]];
            if (value == 0)
            {
                run++;
                continue;
            }

            for (; run >= 16; run -= 16)
                Bits(Array.IndexOf(AcSymbols, (byte)0xF0), 8);
            int s = Category(value);
            Bits(Array.IndexOf(AcSymbols, (byte)(run << 4 | s)), 8); // AC symbol i has the 8-bit code i
            EncodeValue(value, s);
            run = 0;
        }

        if (run > 0)
            Bits(0, 8); // EOB
    }

    private static readonly int[] ZigZagToNatural = PaliCuda.Imaging.Jpeg.BaselineJpegDecoder.NaturalOrder;

    private void Bits(int value, int count)
    {
        _bits = (_bits << count) | (uint)(value & ((1 << count) - 1));
        _bitCount += count;
        while (_bitCount >= 8)
        {
            byte b = (byte)(_bits >> (_bitCount - 8));
            _bitCount -= 8;
            _out.Add(b);
            if (b == 0xFF)
                _out.Add(0x00);
        }
    }

    private void FlushBits()
    {
        if (_bitCount > 0)
            Bits(0x7F, 8 - _bitCount); // pad with 1-bits
        _bits = 0;
    }

    private void Bytes(params byte[] bytes) => _out.AddRange(bytes);

    private void Segment(int marker, byte[] payload)
    {
        Bytes(0xFF, (byte)marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2));
        Bytes(payload);
    }
}
