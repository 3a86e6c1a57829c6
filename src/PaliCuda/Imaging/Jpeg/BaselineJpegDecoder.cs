namespace PaliCuda.Imaging.Jpeg;

/// <summary>
/// Decodes baseline sequential Huffman JPEGs (SOF0/SOF1, 8-bit, 1 or 3 components, every component's sampling
/// factor 1 or 2 with the largest an integer multiple of each) bit for bit as libjpeg-turbo does with its defaults
/// (JDCT_ISLOW, fancy upsampling, libjpeg's YCbCr tables), which is what Pillow and so Hugging Face use. Files it does
/// not cover (progressive, arithmetic coding, 12-bit, 2 or 4 components, other sampling) are reported as unsupported
/// so the caller can use another decoder. Corrupt data, including a scan that ends before its last block (where
/// libjpeg would pad with zeros and warn), throws <see cref="JpegDataException"/>.
/// </summary>
internal static class BaselineJpegDecoder
{
    /// <summary>Zig-zag index → natural (row-major) index, with 16 extra entries of 63 so a corrupt run length that
    /// steps past the block writes to the last coefficient, as libjpeg's table does.</summary>
    internal static readonly int[] NaturalOrder = BuildNaturalOrder();

    private static int[] BuildNaturalOrder()
    {
        var order = new int[64 + 16];
        int k = 0;
        for (int diagonal = 0; diagonal < 15; diagonal++)
        {
            int low = Math.Max(0, diagonal - 7), high = Math.Min(7, diagonal);
            // Odd diagonals run down-left (row increasing), even ones up-right (row decreasing).
            for (int i = 0; i <= high - low; i++)
            {
                int row = diagonal % 2 == 1 ? low + i : high - i;
                order[k++] = row * 8 + (diagonal - row);
            }
        }

        for (; k < order.Length; k++)
            order[k] = 63;
        return order;
    }

    private sealed class State
    {
        public readonly short[]?[] Quant = new short[4][];
        public readonly JpegHuffmanTable?[] Dc = new JpegHuffmanTable[4];
        public readonly JpegHuffmanTable?[] Ac = new JpegHuffmanTable[4];
        public int RestartInterval;
        public bool SawJfif;
        public int AdobeTransform = -1;
        public int Width, Height, MaxH, MaxV;
        public JpegComponent[]? Components;
    }

    /// <summary>
    /// Decodes <paramref name="data"/>, or returns null with <paramref name="unsupported"/> saying why when the file
    /// uses a feature outside baseline; <paramref name="limits"/> are checked before the planes are allocated.
    /// </summary>
    /// <exception cref="JpegDataException">The data is corrupt, truncated or over the limits.</exception>
    public static RgbImage? Decode(byte[] data, ImageLimits limits, out string? unsupported)
    {
        unsupported = null;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
            throw new JpegDataException("it does not start with the JPEG SOI marker");
        var state = new State();
        int p = 2;
        while (true)
        {
            int code = NextMarkerAt(data, ref p);
            if (code < 0)
                break; // no EOI: accepted when every component was scanned (checked below)
            if (code == 0xD9)
                break;
            if (code is >= 0xD0 and <= 0xD7 or 0x01)
                continue; // stray RSTn or TEM: no segment follows
            if (code is 0xC2 or 0xC3 or (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF) or 0xCC)
            {
                unsupported = $"it uses SOF/DAC marker 0x{code:X2} (progressive, lossless, hierarchical or arithmetic coding)";
                return null;
            }

            if (code == 0xD8 || code < 0xC0)
                throw new JpegDataException($"unexpected marker 0x{code:X2} at byte {p - 2}");
            int length = ReadU16(data, p, "segment length");
            if (length < 2 || p + length > data.Length)
                throw new JpegDataException($"the segment of marker 0x{code:X2} at byte {p - 2} has length {length}, past the end of the data");
            var segment = new ReadOnlySpan<byte>(data, p + 2, length - 2);
            int segmentEnd = p + length;
            switch (code)
            {
                case 0xDB:
                    ReadQuantTables(segment, state);
                    break;
                case 0xC4:
                    ReadHuffmanTables(segment, state);
                    break;
                case 0xDD:
                    if (segment.Length < 2)
                        throw new JpegDataException("the DRI segment is shorter than 2 bytes");
                    state.RestartInterval = (segment[0] << 8) | segment[1];
                    break;
                case 0xE0:
                    if (segment.Length >= 14 && segment[..5].SequenceEqual("JFIF\0"u8))
                        state.SawJfif = true;
                    break;
                case 0xEE:
                    if (segment.Length >= 12 && segment[..5].SequenceEqual("Adobe"u8))
                        state.AdobeTransform = segment[11];
                    break;
                case 0xC0 or 0xC1:
                    if (state.Components is not null)
                        throw new JpegDataException("it has more than one frame header (SOF)");
                    unsupported = ReadFrame(segment, state, limits);
                    if (unsupported is not null)
                        return null;
                    break;
                case 0xDA:
                    segmentEnd = DecodeScan(data, segmentEnd, segment, state);
                    break;
            }

            p = segmentEnd;
        }

        if (state.Components is null)
            throw new JpegDataException("it has no frame header (SOF) before its end");
        if (state.Components.FirstOrDefault(c => !c.Scanned) is { } missing)
            throw new JpegDataException($"component {missing.Id} has no scan: the data ends early");
        return Assemble(state);
    }

    private static int ReadU16(byte[] data, int at, string what)
    {
        if (at + 1 >= data.Length)
            throw new JpegDataException($"the data ends inside a {what} at byte {at}");
        return (data[at] << 8) | data[at + 1];
    }

    /// <summary>
    /// The next marker code at or after <paramref name="p"/> (then just after it), or -1 at the end of the data. Bytes
    /// before it are skipped, as libjpeg skips them with a warning.
    /// </summary>
    private static int NextMarkerAt(byte[] data, ref int p)
    {
        int code = JpegMarkers.FindNext(data, p, out int at);
        p = at + 2;
        return code;
    }

    private static void ReadQuantTables(ReadOnlySpan<byte> segment, State state)
    {
        while (segment.Length > 0)
        {
            int precision = segment[0] >> 4, index = segment[0] & 15;
            int size = precision == 0 ? 64 : 128;
            if (precision > 1 || index > 3)
                throw new JpegDataException($"a DQT table has precision {precision} and index {index} (0..1 and 0..3 allowed)");
            if (segment.Length < 1 + size)
                throw new JpegDataException("a DQT segment ends inside its table");
            var table = new short[64];
            for (int k = 0; k < 64; k++)
            {
                // libjpeg keeps quantisers as 16-bit multipliers: a 16-bit entry above 32767 wraps as it does there.
                int value = precision == 0 ? segment[1 + k] : (segment[1 + 2 * k] << 8) | segment[2 + 2 * k];
                table[NaturalOrder[k]] = unchecked((short)value);
            }

            state.Quant[index] = table;
            segment = segment[(1 + size)..];
        }
    }

    private static void ReadHuffmanTables(ReadOnlySpan<byte> segment, State state)
    {
        while (segment.Length > 0)
        {
            if (segment.Length < 17)
                throw new JpegDataException("a DHT segment ends inside its code counts");
            int tableClass = segment[0] >> 4, index = segment[0] & 15;
            if (tableClass > 1 || index > 3)
                throw new JpegDataException($"a DHT table has class {tableClass} and index {index} (0..1 and 0..3 allowed)");
            var counts = segment.Slice(1, 16);
            int total = 0;
            foreach (byte c in counts)
                total += c;
            if (total > 256 || segment.Length < 17 + total)
                throw new JpegDataException($"a DHT table declares {total} codes, more than 256 or than the segment holds");
            var table = new JpegHuffmanTable(counts, segment.Slice(17, total));
            (tableClass == 0 ? state.Dc : state.Ac)[index] = table;
            segment = segment[(17 + total)..];
        }
    }

    private static string? ReadFrame(ReadOnlySpan<byte> segment, State state, ImageLimits limits)
    {
        if (segment.Length < 6)
            throw new JpegDataException("the frame header (SOF) is shorter than 6 bytes");
        int precision = segment[0];
        int height = (segment[1] << 8) | segment[2], width = (segment[3] << 8) | segment[4], count = segment[5];
        if (precision != 8)
            return $"its samples have {precision} bits (only 8 are decoded here)";
        if (height == 0)
            return "its height is given by a DNL marker";
        if (count is not (1 or 3))
            return $"it has {count} components (1 or 3 are decoded here)";
        if (segment.Length < 6 + 3 * count)
            throw new JpegDataException($"the frame header (SOF) is too short for its {count} components");
        if (limits.Check(width, height) is { } tooLarge)
            throw new JpegDataException(tooLarge);
        var components = new JpegComponent[count];
        for (int i = 0; i < count; i++)
        {
            var c = segment.Slice(6 + 3 * i, 3);
            int id = c[0], h = c[1] >> 4, v = c[1] & 15;
            if (h is < 1 or > 4 || v is < 1 or > 4 || c[2] > 3)
                throw new JpegDataException($"component {id} has sampling factors {h}x{v} and quantisation table {c[2]} (1..4 and 0..3 allowed)");
            if (components.Take(i).Any(o => o.Id == id))
                throw new JpegDataException($"component id {id} appears twice in the frame header");
            components[i] = new JpegComponent(id, h, v, c[2]);
        }

        int maxH = components.Max(c => c.Horizontal), maxV = components.Max(c => c.Vertical);
        if (count == 1)
        {
            maxH = components[0].Horizontal;
            maxV = components[0].Vertical;
        }
        else if (components.Any(c => maxH % c.Horizontal != 0 || maxV % c.Vertical != 0 || maxH / c.Horizontal > 2 || maxV / c.Vertical > 2 || c.Horizontal > 2 || c.Vertical > 2))
        {
            return "its sampling factors are " + string.Join(", ", components.Select(c => $"{c.Horizontal}x{c.Vertical}")) + " (1x1 and 2x1/1x2/2x2 luma are decoded here)";
        }

        int mcusX = (width + 8 * maxH - 1) / (8 * maxH), mcusY = (height + 8 * maxV - 1) / (8 * maxV);
        foreach (var c in components)
        {
            int stride = mcusX * c.Horizontal * 8, rows = mcusY * c.Vertical * 8;
            int w = (int)(((long)width * c.Horizontal + maxH - 1) / maxH), h = (int)(((long)height * c.Vertical + maxV - 1) / maxV);
            c.Plane = new JpegPlane(new byte[(long)stride * rows], stride, w, h);
        }

        (state.Width, state.Height, state.MaxH, state.MaxV, state.Components) = (width, height, maxH, maxV, components);
        return null;
    }

    /// <summary>Decodes the scan whose header is <paramref name="header"/> and whose data starts at <paramref name="start"/>; returns where the next marker is.</summary>
    private static int DecodeScan(byte[] data, int start, ReadOnlySpan<byte> header, State state)
    {
        var frame = state.Components ?? throw new JpegDataException("a scan (SOS) comes before the frame header (SOF)");
        if (header.Length < 1 || header[0] is < 1 or > 4 || header.Length < 4 + 2 * header[0])
            throw new JpegDataException("the scan header (SOS) is malformed");
        int count = header[0];
        var components = new JpegComponent[count];
        var dc = new JpegHuffmanTable[count];
        var ac = new JpegHuffmanTable[count];
        var quant = new short[count][];
        for (int i = 0; i < count; i++)
        {
            int id = header[1 + 2 * i], tables = header[2 + 2 * i];
            var c = frame.FirstOrDefault(f => f.Id == id) ?? throw new JpegDataException($"the scan names component {id}, which the frame does not have");
            if (components.Take(i).Contains(c))
                throw new JpegDataException($"the scan names component {id} twice");
            if (c.Scanned)
                throw new JpegDataException($"component {id} appears in a second scan");
            components[i] = c;
            dc[i] = (tables >> 4) < 4 ? state.Dc[tables >> 4] ?? throw new JpegDataException($"the scan uses DC Huffman table {tables >> 4}, which is not defined") : throw new JpegDataException($"the scan names DC Huffman table {tables >> 4}");
            ac[i] = (tables & 15) < 4 ? state.Ac[tables & 15] ?? throw new JpegDataException($"the scan uses AC Huffman table {tables & 15}, which is not defined") : throw new JpegDataException($"the scan names AC Huffman table {tables & 15}");
            // libjpeg latches a component's quantisation table when its first scan starts.
            quant[i] = (short[])(state.Quant[c.QuantTable] ?? throw new JpegDataException($"component {id} uses quantisation table {c.QuantTable}, which is not defined")).Clone();
        }

        // libjpeg refuses an interleaved MCU of more than 10 blocks (D_MAX_BLOCKS_IN_MCU), so Pillow cannot read one.
        if (count > 1 && components.Sum(c => c.Horizontal * c.Vertical) > 10)
            throw new JpegDataException($"an MCU of the scan has {components.Sum(c => c.Horizontal * c.Vertical)} blocks, more than the 10 JPEG allows");
        int ss = header[1 + 2 * count], se = header[2 + 2 * count], ahal = header[3 + 2 * count];
        if (ss != 0 || se != 63 || ahal != 0)
            throw new JpegDataException($"a sequential scan has spectral selection {ss}..{se} and approximation {ahal:X2} (0..63 and 00 required)");

        var reader = new JpegBitReader(data, start);
        foreach (var c in components)
            c.DcPredictor = 0;
        Span<short> block = stackalloc short[64];
        int restartsLeft = state.RestartInterval, nextRestart = 0;

        // One component: non-interleaved, one block per MCU over the component's own blocks. Several: the MCU grid.
        bool interleaved = count > 1;
        int mcusX, mcusY;
        if (interleaved)
        {
            mcusX = (state.Width + 8 * state.MaxH - 1) / (8 * state.MaxH);
            mcusY = (state.Height + 8 * state.MaxV - 1) / (8 * state.MaxV);
        }
        else
        {
            mcusX = (components[0].Plane.Width + 7) / 8;
            mcusY = (components[0].Plane.Height + 7) / 8;
        }

        long total = (long)mcusX * mcusY;
        for (long mcu = 0; mcu < total; mcu++)
        {
            if (state.RestartInterval > 0)
            {
                if (restartsLeft == 0)
                {
                    reader.ReadRestartMarker(nextRestart);
                    nextRestart = (nextRestart + 1) & 7;
                    restartsLeft = state.RestartInterval;
                    foreach (var c in components)
                        c.DcPredictor = 0;
                }

                restartsLeft--;
            }

            int mx = (int)(mcu % mcusX), my = (int)(mcu / mcusX);
            for (int i = 0; i < count; i++)
            {
                var c = components[i];
                int bw = interleaved ? c.Horizontal : 1, bh = interleaved ? c.Vertical : 1;
                for (int by = 0; by < bh; by++)
                {
                    for (int bx = 0; bx < bw; bx++)
                    {
                        DecodeBlock(reader, dc[i], ac[i], c, block);
                        int x = (mx * bw + bx) * 8, y = (my * bh + by) * 8;
                        JpegIdct.Transform(block, quant[i], c.Plane.Samples, y * c.Plane.Stride + x, c.Plane.Stride);
                    }
                }
            }

            // Checked per MCU so that a huge frame with little data is refused at once, not after decoding zeros.
            if (reader.PaddedBitsConsumed > 0)
                throw new JpegDataException($"the scan data ends in MCU {mcu} of {total} (truncated or cut by a marker)");
        }

        foreach (var c in components)
            c.Scanned = true;

        // Continue at the next marker after the scan, skipping any RSTn an encoder put after the last MCU.
        int p = reader.Position;
        while (true)
        {
            int code = JpegMarkers.FindNext(data, p, out int at);
            if (code is >= 0xD0 and <= 0xD7)
            {
                p = at + 2;
                continue;
            }

            return at;
        }
    }

    private static void DecodeBlock(JpegBitReader reader, JpegHuffmanTable dc, JpegHuffmanTable ac, JpegComponent component, Span<short> block)
    {
        block.Clear();
        int s = dc.Decode(reader);
        if (s > 15)
            throw new JpegDataException($"a DC difference has category {s} (at most 15)");
        int predictor = component.DcPredictor + Extend(reader.ReadBits(s), s);
        component.DcPredictor = predictor;
        block[0] = unchecked((short)predictor);
        for (int k = 1; k < 64; k++)
        {
            int rs = ac.Decode(reader);
            int run = rs >> 4;
            s = rs & 15;
            if (s != 0)
            {
                k += run;
                block[NaturalOrder[k]] = unchecked((short)Extend(reader.ReadBits(s), s));
            }
            else if (run == 15)
            {
                k += 15;
            }
            else
            {
                break;
            }
        }
    }

    /// <summary>JPEG's sign extension of an s-bit magnitude: values below 2^(s−1) are negative.</summary>
    private static int Extend(int value, int s) => s == 0 ? 0 : value < 1 << (s - 1) ? value - (1 << s) + 1 : value;

    private static RgbImage Assemble(State state)
    {
        var components = state.Components!;
        int width = state.Width, height = state.Height;
        var rgb = new byte[(long)width * height * RgbImage.Channels];
        if (components.Length == 1)
        {
            var grey = JpegUpsampler.Upsample(components[0].Plane, 1, 1, width, height);
            JpegColorConverter.GreyToRgb(grey, rgb);
            return new RgbImage(width, height, rgb);
        }

        var planes = components.Select(c => JpegUpsampler.Upsample(c.Plane, state.MaxH / c.Horizontal, state.MaxV / c.Vertical, width, height)).ToArray();
        if (IsRgb(state))
            JpegColorConverter.Interleave(planes[0], planes[1], planes[2], rgb);
        else
            JpegColorConverter.YCbCrToRgb(planes[0], planes[1], planes[2], rgb);
        return new RgbImage(width, height, rgb);
    }

    /// <summary>libjpeg's guess of a 3-component colour space: JFIF means YCbCr; else an Adobe marker's transform 0
    /// means RGB; else component ids 'R','G','B' mean RGB; anything else is YCbCr.</summary>
    private static bool IsRgb(State state)
    {
        if (state.SawJfif)
            return false;
        if (state.AdobeTransform >= 0)
            return state.AdobeTransform == 0;
        var c = state.Components!;
        return c[0].Id == 'R' && c[1].Id == 'G' && c[2].Id == 'B';
    }
}
