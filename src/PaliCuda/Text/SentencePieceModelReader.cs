using System.Text;

using static PaliCuda.Text.SentencePieceProto;

namespace PaliCuda.Text;

/// <summary>
/// Reads the fields of a SentencePiece <c>ModelProto</c> (sentencepiece_model.proto) that the engine needs,
/// with a minimal protobuf wire-format reader, so no protobuf package or generated code is required.
/// Unknown fields are skipped, as protobuf readers must.
/// </summary>
internal static class SentencePieceModelReader
{
    public static SentencePieceModel Read(ReadOnlySpan<byte> data, string source, TokenizerLimits? limits = null)
    {
        limits ??= TokenizerLimits.Default;
        var pieces = new List<string>();
        var scores = new List<float>();
        var types = new List<SentencePiecePieceType>();
        // Defaults are the ones sentencepiece_model.proto declares.
        int modelType = 1, unkId = 0, bosId = 1, eosId = 2, padId = -1;
        bool byteFallback = false, addDummyPrefix = true, removeExtra = true, escape = true;
        string normalizerName = "";
        int charsMapLength = 0;

        var reader = new Reader(data, source);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == ModelPieces && wire == WireLengthDelimited)
            {
                if (pieces.Count >= limits.MaxPieces)
                    throw new TokenizerFormatException(source, $"the model has more than {limits.MaxPieces} pieces (TokenizerLimits.MaxPieces)");
                var (piece, score, type) = ReadPiece(reader.ReadBytes(), source, pieces.Count, limits.MaxPieceBytes);
                pieces.Add(piece);
                scores.Add(score);
                types.Add(type);
            }
            else if (field == ModelTrainerSpec && wire == WireLengthDelimited)
            {
                var spec = new Reader(reader.ReadBytes(), source);
                while (!spec.AtEnd)
                {
                    var (f, w) = spec.ReadTag();
                    switch (f)
                    {
                        case TrainerModelType when w == WireVarint: modelType = (int)spec.ReadVarint(); break;
                        case TrainerByteFallback when w == WireVarint: byteFallback = spec.ReadVarint() != 0; break;
                        case TrainerUnkId when w == WireVarint: unkId = (int)(long)spec.ReadVarint(); break;
                        case TrainerBosId when w == WireVarint: bosId = (int)(long)spec.ReadVarint(); break;
                        case TrainerEosId when w == WireVarint: eosId = (int)(long)spec.ReadVarint(); break;
                        case TrainerPadId when w == WireVarint: padId = (int)(long)spec.ReadVarint(); break;
                        default: spec.Skip(w); break;
                    }
                }
            }
            else if (field == ModelNormalizerSpec && wire == WireLengthDelimited)
            {
                var spec = new Reader(reader.ReadBytes(), source);
                while (!spec.AtEnd)
                {
                    var (f, w) = spec.ReadTag();
                    switch (f)
                    {
                        case NormalizerName when w == WireLengthDelimited: normalizerName = spec.ReadString()!; break;
                        case NormalizerPrecompiledCharsMap when w == WireLengthDelimited: charsMapLength = spec.ReadBytes().Length; break;
                        case NormalizerAddDummyPrefix when w == WireVarint: addDummyPrefix = spec.ReadVarint() != 0; break;
                        case NormalizerRemoveExtraWhitespaces when w == WireVarint: removeExtra = spec.ReadVarint() != 0; break;
                        case NormalizerEscapeWhitespaces when w == WireVarint: escape = spec.ReadVarint() != 0; break;
                        default: spec.Skip(w); break;
                    }
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        if (pieces.Count == 0)
            throw new TokenizerFormatException(source, "the model has no vocabulary pieces (is this a SentencePiece .model file?)");

        return new SentencePieceModel
        {
            Pieces = pieces,
            Scores = scores,
            Types = types,
            ModelType = modelType,
            UnkId = unkId,
            BosId = bosId,
            EosId = eosId,
            PadId = padId,
            ByteFallback = byteFallback,
            AddDummyPrefix = addDummyPrefix,
            RemoveExtraWhitespaces = removeExtra,
            EscapeWhitespaces = escape,
            NormalizerName = normalizerName,
            PrecompiledCharsMapLength = charsMapLength,
        };
    }

    private static (string Piece, float Score, SentencePiecePieceType Type) ReadPiece(ReadOnlySpan<byte> data, string source, int index, int maxPieceBytes)
    {
        string? piece = null;
        float score = 0f;
        var type = SentencePiecePieceType.Normal;
        var reader = new Reader(data, source);
        while (!reader.AtEnd)
        {
            var (field, wire) = reader.ReadTag();
            if (field == PiecePiece && wire == WireLengthDelimited)
            {
                piece = reader.ReadString(maxPieceBytes);
                if (piece is null)
                    throw new TokenizerFormatException(source, $"piece {index} is longer than {maxPieceBytes} bytes (TokenizerLimits.MaxPieceBytes)");
            }
            else if (field == PieceScore && wire == WireFixed32)
                score = BitConverter.Int32BitsToSingle((int)reader.ReadFixed32());
            else if (field == PieceType && wire == WireVarint)
            {
                ulong raw = reader.ReadVarint();
                if (raw < 1 || raw > 6)
                    throw new TokenizerFormatException(source, $"piece {index} has unknown type {raw}");
                type = (SentencePiecePieceType)(int)raw;
            }
            else
                reader.Skip(wire);
        }

        if (piece is null)
            throw new TokenizerFormatException(source, $"piece {index} has no text");
        return (piece, score, type);
    }

    /// <summary>A cursor over protobuf wire data that reports truncation as <see cref="TokenizerFormatException"/>.</summary>
    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private readonly string _source;
        private int _pos;

        public Reader(ReadOnlySpan<byte> data, string source)
        {
            _data = data;
            _source = source;
            _pos = 0;
        }

        public readonly bool AtEnd => _pos >= _data.Length;

        public (int Field, int Wire) ReadTag()
        {
            ulong tag = ReadVarint();
            int field = (int)(tag >> 3);
            if (field == 0)
                throw Corrupt("field number 0");
            return (field, (int)(tag & 7));
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= _data.Length)
                    throw Corrupt("truncated varint");
                byte b = _data[_pos++];
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                    return result;
            }

            throw Corrupt("varint longer than 10 bytes");
        }

        public uint ReadFixed32()
        {
            if (_data.Length - _pos < 4)
                throw Corrupt("truncated fixed32");
            uint v = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(_pos, 4));
            _pos += 4;
            return v;
        }

        public ReadOnlySpan<byte> ReadBytes()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(_data.Length - _pos))
                throw Corrupt($"length-delimited field of {length} bytes runs past the end of its message");
            var slice = _data.Slice(_pos, (int)length);
            _pos += (int)length;
            return slice;
        }

        /// <summary>A UTF-8 string field; null when it is longer than <paramref name="maxBytes"/>.</summary>
        public string? ReadString(int maxBytes = int.MaxValue)
        {
            var bytes = ReadBytes();
            if (bytes.Length > maxBytes)
                return null;
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new TokenizerFormatException(_source, $"string field at byte {_pos} is not valid UTF-8", e);
            }
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case WireVarint: ReadVarint(); break;
                case WireFixed64: Advance(8); break;
                case WireLengthDelimited: ReadBytes(); break;
                case WireFixed32: Advance(4); break;
                default: throw Corrupt($"unsupported wire type {wire}");
            }
        }

        private void Advance(int n)
        {
            if (_data.Length - _pos < n)
                throw Corrupt("truncated field");
            _pos += n;
        }

        private readonly TokenizerFormatException Corrupt(string what) =>
            new(_source, $"corrupt protobuf data at byte {_pos} of a {_data.Length}-byte message: {what}");
    }
}
