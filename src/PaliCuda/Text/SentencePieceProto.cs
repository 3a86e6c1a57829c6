namespace PaliCuda.Text;

/// <summary>
/// The protobuf wire types and the sentencepiece_model.proto field numbers that <see cref="SentencePieceModelReader"/>
/// reads and <see cref="SentencePieceModelWriter"/> writes: one table, so the two cannot drift apart.
/// </summary>
internal static class SentencePieceProto
{
    // Wire types of the protobuf encoding.
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    public const int WireFixed32 = 5;

    // ModelProto field numbers.
    public const int ModelPieces = 1;
    public const int ModelTrainerSpec = 2;
    public const int ModelNormalizerSpec = 3;

    // ModelProto.SentencePiece field numbers.
    public const int PiecePiece = 1;
    public const int PieceScore = 2;
    public const int PieceType = 3;

    // TrainerSpec field numbers.
    public const int TrainerModelType = 3;
    public const int TrainerVocabSize = 4;
    public const int TrainerByteFallback = 35;
    public const int TrainerUnkId = 40;
    public const int TrainerBosId = 41;
    public const int TrainerEosId = 42;
    public const int TrainerPadId = 43;
    public const int TrainerUnkPiece = 45;
    public const int TrainerBosPiece = 46;
    public const int TrainerEosPiece = 47;
    public const int TrainerPadPiece = 48;

    // NormalizerSpec field numbers.
    public const int NormalizerName = 1;
    public const int NormalizerPrecompiledCharsMap = 2;
    public const int NormalizerAddDummyPrefix = 3;
    public const int NormalizerRemoveExtraWhitespaces = 4;
    public const int NormalizerEscapeWhitespaces = 5;
}
