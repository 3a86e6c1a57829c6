namespace PaliCuda.Imaging.Jpeg;

/// <summary>
/// Reads the entropy-coded bits of a scan MSB first the way libjpeg does: a 0xFF data byte is followed by a stuffed
/// 0x00 (dropped; extra 0xFF fill bytes before it are skipped), and any other marker ends the data. Bits asked for past
/// that point read as zeros (libjpeg's padding), and each one is counted so the decoder can refuse a truncated scan.
/// </summary>
internal sealed class JpegBitReader
{
    private readonly byte[] _data;
    private int _position;
    private ulong _buffer;
    private int _bitCount;
    private bool _hitMarker;

    public JpegBitReader(byte[] data, int start)
    {
        _data = data;
        _position = start;
    }

    /// <summary>Bits consumed after the data ended, for which zeros were supplied.</summary>
    public long PaddedBitsConsumed { get; private set; }

    /// <summary>Offset of the first byte not yet moved into the bit buffer (the marker's first 0xFF once one was reached).</summary>
    public int Position => _position;

    private void Fill()
    {
        while (_bitCount <= 56 && !_hitMarker)
        {
            if (_position >= _data.Length)
            {
                _hitMarker = true;
                return;
            }

            int b = _data[_position];
            if (b == 0xFF)
            {
                int next = _position + 1;
                while (next < _data.Length && _data[next] == 0xFF)
                    next++;
                if (next >= _data.Length || _data[next] != 0x00)
                {
                    // A marker (or the end of the data): stay on its last 0xFF and supply zeros from here on.
                    _position = next - 1;
                    _hitMarker = true;
                    return;
                }

                _position = next + 1;
            }
            else
            {
                _position++;
            }

            _buffer |= (ulong)b << (56 - _bitCount);
            _bitCount += 8;
        }
    }

    /// <summary>The next 16 bits without consuming them (zeros past the end of the data).</summary>
    public int Peek16()
    {
        if (_bitCount < 16)
            Fill();
        return (int)(_buffer >> 48);
    }

    /// <summary>Consumes <paramref name="count"/> (0..16) bits, counting any that lie past the end of the data.</summary>
    public void Skip(int count)
    {
        if (count > _bitCount)
        {
            PaddedBitsConsumed += count - _bitCount;
            _buffer = 0;
            _bitCount = 0;
            return;
        }

        _buffer <<= count;
        _bitCount -= count;
    }

    /// <summary>Reads <paramref name="count"/> (0..16) bits as an unsigned number.</summary>
    public int ReadBits(int count)
    {
        if (count == 0)
            return 0;
        int value = Peek16() >> (16 - count);
        Skip(count);
        return value;
    }

    /// <summary>
    /// Discards the buffered bits (as libjpeg does at a restart), skips to the next marker and requires it to be
    /// RST<paramref name="expected"/>; reading continues after it.
    /// </summary>
    public void ReadRestartMarker(int expected)
    {
        int marker = JpegMarkers.FindNext(_data, _position, out int markerAt);
        if (marker != 0xD0 + expected)
        {
            string found = marker < 0 ? "the end of the data" : $"marker 0x{marker:X2}";
            throw new JpegDataException($"restart marker RST{expected} expected at byte {markerAt}, found {found}");
        }

        _position = markerAt + 2;
        _buffer = 0;
        _bitCount = 0;
        _hitMarker = false;
    }
}
