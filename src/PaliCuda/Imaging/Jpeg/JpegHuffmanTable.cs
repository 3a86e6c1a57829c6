namespace PaliCuda.Imaging.Jpeg;

/// <summary>
/// A canonical Huffman table from a DHT segment: codes are assigned in order of length, and a table whose codes
/// overflow their length (or use the reserved all-ones code) is refused, as libjpeg refuses it.
/// </summary>
internal sealed class JpegHuffmanTable
{
    /// <summary>Codes up to this many bits are decoded with one look-up; longer ones by walking the lengths.</summary>
    private const int LookupBits = 9;

    private readonly byte[] _symbols;
    private readonly int[] _maxCode = new int[18];   // largest code of each length, -1 when none
    private readonly int[] _valueOffset = new int[17]; // symbol index minus first code of each length
    private readonly ushort[] _lookup = new ushort[1 << LookupBits]; // (length << 8) | symbol, 0 when longer

    /// <param name="counts">Number of codes of each length 1..16 (index 0 is length 1).</param>
    /// <param name="symbols">The symbols in code order.</param>
    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> symbols)
    {
        _symbols = symbols.ToArray();
        int code = 0, index = 0;
        for (int length = 1; length <= 16; length++)
        {
            int n = counts[length - 1];
            // The codes of this length run from code to code + n − 1 and must leave the all-ones code unused.
            if (code + n >= 1 << length)
                throw new JpegDataException($"a Huffman table has more codes of length {length} or less than fit");
            _valueOffset[length] = index - code;
            for (int i = 0; i < n; i++, index++, code++)
            {
                if (length <= LookupBits)
                {
                    int shift = LookupBits - length;
                    for (int fill = 0; fill < 1 << shift; fill++)
                        _lookup[(code << shift) | fill] = (ushort)((length << 8) | _symbols[index]);
                }
            }

            _maxCode[length] = n == 0 ? -1 : code - 1;
            code <<= 1;
        }

        _maxCode[17] = int.MaxValue; // sentinel: stops the slow walk after 16 bits
    }

    /// <summary>Decodes one symbol; a bit pattern that is no code of the table means the data is corrupt.</summary>
    public int Decode(JpegBitReader reader)
    {
        int bits = reader.Peek16();
        int entry = _lookup[bits >> (16 - LookupBits)];
        if (entry != 0)
        {
            reader.Skip(entry >> 8);
            return entry & 0xFF;
        }

        for (int length = LookupBits + 1; length <= 16; length++)
        {
            int code = bits >> (16 - length);
            if (code <= _maxCode[length])
            {
                reader.Skip(length);
                return _symbols[_valueOffset[length] + code];
            }
        }

        throw new JpegDataException("the entropy-coded data holds a bit pattern that is no Huffman code of its table");
    }
}
