using System.Text;
using Microsoft.ML.Tokenizers;

namespace PaliCuda.Text;

/// <summary>
/// The PaliGemma (Gemma) SentencePiece tokenizer. Encoding is done by Microsoft.ML.Tokenizers'
/// <see cref="SentencePieceTokenizer"/>; the vocabulary, piece types and special ids are read from the model
/// file directly, because the library splits user-defined pieces (<c>&lt;locNNNN&gt;</c>, <c>&lt;segNNN&gt;</c>,
/// <c>\n</c>) into bytes unless they are handed to it as its special tokens.
/// </summary>
/// <remarks>
/// Encoding follows the sentencepiece library: no BOS/EOS is added, user-defined pieces are matched verbatim,
/// and control pieces such as <c>&lt;bos&gt;</c> or <c>&lt;image&gt;</c> written in the text are encoded as
/// ordinary characters (callers insert control ids directly; see <see cref="PaliGemmaPrompt"/>).
/// Decoding follows Hugging Face's <c>GemmaTokenizer.decode</c> (see <see cref="Decode"/>).
/// </remarks>
public sealed partial class PaliGemmaTokenizer
{
    private const char SpaceMarker = '\u2581';
    private const string ImagePiece = "<image>";

    private readonly SentencePieceTokenizer _encoder;
    private readonly string[] _pieces;
    private readonly SentencePiecePieceType[] _types;
    private readonly Dictionary<string, int> _pieceToId;
    private readonly bool _stripLeadingSpaceOnDecode;

    private PaliGemmaTokenizer(SentencePieceTokenizer encoder, SentencePieceModel model, Dictionary<string, int> pieceToId, int? imageTokenId,
        string sourceName)
    {
        SourceName = sourceName;
        _encoder = encoder;
        _pieces = model.Pieces.ToArray();
        _types = model.Types.ToArray();
        _pieceToId = pieceToId;
        _stripLeadingSpaceOnDecode = model.AddDummyPrefix;
        BosId = model.BosId;
        EosId = model.EosId;
        UnkId = model.UnkId;
        PadId = model.PadId >= 0 ? model.PadId : null;
        ImageTokenId = imageTokenId;
    }

    /// <summary>Number of ids in the vocabulary.</summary>
    public int VocabSize => _pieces.Length;

    /// <summary>Id of the beginning-of-sequence piece.</summary>
    public int BosId { get; }

    /// <summary>Id of the end-of-sequence piece.</summary>
    public int EosId { get; }

    /// <summary>Id of the unknown piece.</summary>
    public int UnkId { get; }

    /// <summary>The file (or buffer description) the model was loaded from, as errors name it.</summary>
    public string SourceName { get; }

    /// <summary>Id of the padding piece, or null when the model defines none.</summary>
    public int? PadId { get; }

    /// <summary>Id of the <c>&lt;image&gt;</c> piece, or null when the vocabulary has no such piece.</summary>
    public int? ImageTokenId { get; }

    /// <summary>Loads a SentencePiece <c>tokenizer.model</c> file.</summary>
    /// <exception cref="TokenizerFormatException">The file is not a supported SentencePiece model.</exception>
    public static PaliGemmaTokenizer FromSentencePieceFile(string path, TokenizerLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= TokenizerLimits.Default;
        return FromSentencePiece(ReadTokenizerFile(path, limits), path, limits);
    }

    /// <summary>A tokenizer file's bytes, its size checked against the limit before it is read.</summary>
    private static byte[] ReadTokenizerFile(string path, TokenizerLimits limits)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                throw new TokenizerFormatException(path, "the file does not exist");
            if (info.Length > limits.MaxFileBytes)
                throw new TokenizerFormatException(path, $"the file has {info.Length} bytes, more than the limit of {limits.MaxFileBytes} (TokenizerLimits.MaxFileBytes)");
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TokenizerFormatException(path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Loads a SentencePiece model from its bytes; <paramref name="sourceName"/> is used in error messages.</summary>
    /// <exception cref="TokenizerFormatException">The bytes are not a supported SentencePiece model.</exception>
    public static PaliGemmaTokenizer FromSentencePiece(byte[] modelBytes, string sourceName, TokenizerLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        ArgumentNullException.ThrowIfNull(sourceName);
        limits ??= TokenizerLimits.Default;
        if (modelBytes.LongLength > limits.MaxFileBytes)
            throw new TokenizerFormatException(sourceName, $"the model has {modelBytes.LongLength} bytes, more than the limit of {limits.MaxFileBytes} (TokenizerLimits.MaxFileBytes)");
        var model = SentencePieceModelReader.Read(modelBytes, sourceName, limits);
        Validate(model, sourceName);

        var pieceToId = new Dictionary<string, int>(model.Pieces.Count, StringComparer.Ordinal);
        var userDefined = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < model.Pieces.Count; id++)
        {
            if (!pieceToId.TryAdd(model.Pieces[id], id))
                throw new TokenizerFormatException(sourceName, $"piece '{Escape(model.Pieces[id])}' appears twice (ids {pieceToId[model.Pieces[id]]} and {id})");
            if (model.Types[id] == SentencePiecePieceType.UserDefined)
                userDefined.Add(model.Pieces[id], id);
        }

        SentencePieceTokenizer encoder;
        try
        {
            using var stream = new MemoryStream(modelBytes, writable: false);
            encoder = SentencePieceTokenizer.Create(stream, addBeginningOfSentence: false, addEndOfSentence: false, specialTokens: userDefined);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new TokenizerFormatException(sourceName, $"Microsoft.ML.Tokenizers rejected the model: {e.Message}", e);
        }

        int? imageId = pieceToId.TryGetValue(ImagePiece, out int image) ? image : null;
        return new PaliGemmaTokenizer(encoder, model, pieceToId, imageId, sourceName);
    }

    /// <summary>Encodes text to ids exactly as sentencepiece's <c>encode(text)</c> does (no BOS/EOS added).</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
            return [];
        var ids = _encoder.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        // The load-time checks make this unreachable for any model we know of; it stays so that a model the checks
        // missed gives a typed error here rather than an out-of-range id deep in the engine.
        foreach (var id in ids)
            if ((uint)id >= (uint)_pieces.Length)
                throw new TokenizerFormatException(SourceName, $"the encoder produced id {id}, outside the {_pieces.Length}-piece vocabulary; the model file is inconsistent");
        return ids.ToArray();
    }

    /// <summary>Encodes text to its pieces (the vocabulary strings of <see cref="Encode"/>'s ids).</summary>
    public string[] EncodeToPieces(string text) => Array.ConvertAll(Encode(text), IdToPiece);

    /// <summary>
    /// Decodes ids to text the way Hugging Face's slow <c>GemmaTokenizer.decode</c> does (with
    /// <c>spaces_between_special_tokens=False</c>, no clean-up): ordinary pieces have U+2581 turned into spaces,
    /// runs of byte pieces are decoded as UTF-8 (invalid sequences become U+FFFD), user-defined pieces
    /// (<c>&lt;loc…&gt;</c>, <c>&lt;seg…&gt;</c>, <c>\n</c>) are written literally.
    /// Control and unknown pieces (<c>&lt;pad&gt;</c>, <c>&lt;eos&gt;</c>, <c>&lt;bos&gt;</c>, <c>&lt;unk&gt;</c>,
    /// <c>&lt;image&gt;</c>) are written literally, or dropped when <paramref name="skipSpecialTokens"/> is true.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var pendingBytes = new List<byte>();
        bool first = true;
        int position = 0;
        foreach (int id in ids)
        {
            CheckId(id, position++);
            var type = _types[id];
            string piece = _pieces[id];
            if (type == SentencePiecePieceType.Byte && TryParseBytePiece(piece, out byte b))
            {
                pendingBytes.Add(b);
                first = false;
                continue;
            }

            FlushBytes(text, pendingBytes);
            if (type is SentencePiecePieceType.Control or SentencePiecePieceType.Unknown)
            {
                if (!skipSpecialTokens)
                    text.Append(piece);
                continue;
            }

            if (type == SentencePiecePieceType.UserDefined)
            {
                text.Append(piece);
                first = false;
                continue;
            }

            // With a dummy prefix the encoder added one space in front; the decoder removes it again.
            int start = first && _stripLeadingSpaceOnDecode && piece.Length > 0 && piece[0] == SpaceMarker ? 1 : 0;
            for (int i = start; i < piece.Length; i++)
                text.Append(piece[i] == SpaceMarker ? ' ' : piece[i]);
            first = false;
        }

        FlushBytes(text, pendingBytes);
        return text.ToString();
    }

    /// <summary>The vocabulary string of an id.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside the vocabulary.</exception>
    public string IdToPiece(int id)
    {
        CheckId(id, null);
        return _pieces[id];
    }

    /// <summary>The kind of vocabulary entry an id is.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The id is outside the vocabulary.</exception>
    public SentencePiecePieceType GetPieceType(int id)
    {
        CheckId(id, null);
        return _types[id];
    }

    /// <summary>The id of a vocabulary string.</summary>
    /// <exception cref="KeyNotFoundException">The piece is not in the vocabulary.</exception>
    public int PieceToId(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        return _pieceToId.TryGetValue(piece, out int id)
            ? id
            : throw new KeyNotFoundException($"The piece '{Escape(piece)}' is not in the tokenizer vocabulary.");
    }

    /// <summary>Looks up the id of a vocabulary string.</summary>
    public bool TryPieceToId(string piece, out int id)
    {
        ArgumentNullException.ThrowIfNull(piece);
        return _pieceToId.TryGetValue(piece, out id);
    }

    /// <summary>True for ids that Hugging Face's <c>skip_special_tokens=True</c> removes (control and unknown pieces).</summary>
    public bool IsSpecial(int id) => GetPieceType(id) is SentencePiecePieceType.Control or SentencePiecePieceType.Unknown;

    private static void Validate(SentencePieceModel model, string source)
    {
        if (model.ModelType != SentencePieceModel.ModelTypeBpe)
            throw new TokenizerFormatException(source, $"model type {model.ModelType} is not supported; PaliGemma tokenizers are BPE (type 2)");
        if (model.PrecompiledCharsMapLength > 0)
            throw new TokenizerFormatException(source,
                $"normaliser '{model.NormalizerName}' uses a precompiled character map, which is not supported; PaliGemma tokenizers use the identity normaliser");
        foreach (var (name, id) in new[] { ("unk", model.UnkId), ("bos", model.BosId), ("eos", model.EosId) })
        {
            if (id < 0 || id >= model.Pieces.Count)
                throw new TokenizerFormatException(source, $"{name} id {id} is outside the vocabulary of {model.Pieces.Count} pieces");
        }

        if (model.PadId >= model.Pieces.Count)
            throw new TokenizerFormatException(source, $"pad id {model.PadId} is outside the vocabulary of {model.Pieces.Count} pieces");

        // Byte fallback encodes an unknown character as the pieces <0x00>..<0xFF>; the encoder looks them up by name,
        // so a model that declares it without all 256 (or with a byte piece of another name) would emit ids outside
        // the vocabulary. sentencepiece itself refuses such a model.
        var bytePieces = new HashSet<string>(StringComparer.Ordinal);
        for (int id = 0; id < model.Pieces.Count; id++)
        {
            if (model.Types[id] != SentencePiecePieceType.Byte) continue;
            var piece = model.Pieces[id];
            if (piece.Length != 6 || !piece.StartsWith("<0x", StringComparison.Ordinal) || piece[5] != '>'
                || !byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out _))
                throw new TokenizerFormatException(source, $"byte piece {id} is named '{Escape(piece)}', not <0xNN>");
            bytePieces.Add(piece);
        }
        if (model.ByteFallback && bytePieces.Count != 256)
            throw new TokenizerFormatException(source, $"byte fallback is on but the model has {bytePieces.Count} of the 256 byte pieces <0x00>..<0xFF>");
    }

    private void CheckId(int id, int? position)
    {
        if ((uint)id >= (uint)_pieces.Length)
        {
            string where = position is null ? "" : $" at position {position}";
            throw new ArgumentOutOfRangeException(nameof(id), id, $"Token id {id}{where} is outside the vocabulary (0..{_pieces.Length - 1}).");
        }
    }

    private static bool TryParseBytePiece(string piece, out byte value)
    {
        value = 0;
        return piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out value);
    }

    private static void FlushBytes(StringBuilder text, List<byte> pendingBytes)
    {
        if (pendingBytes.Count == 0)
            return;
        text.Append(Encoding.UTF8.GetString(pendingBytes.ToArray()));
        pendingBytes.Clear();
    }

    private static string Escape(string piece) => piece.Replace("\n", "\\n", StringComparison.Ordinal);
}
