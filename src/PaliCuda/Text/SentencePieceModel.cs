namespace PaliCuda.Text;

/// <summary>
/// The parts of a SentencePiece <c>ModelProto</c> the engine needs: the vocabulary with piece types, the
/// special ids from the trainer spec and the normaliser switches. Produced by <see cref="SentencePieceModelReader"/>.
/// </summary>
internal sealed class SentencePieceModel
{
    public required IReadOnlyList<string> Pieces { get; init; }
    public required IReadOnlyList<float> Scores { get; init; }
    public required IReadOnlyList<SentencePiecePieceType> Types { get; init; }

    /// <summary>TrainerSpec.model_type: 1 unigram, 2 BPE, 3 word, 4 char.</summary>
    public required int ModelType { get; init; }
    public required int UnkId { get; init; }
    public required int BosId { get; init; }
    public required int EosId { get; init; }

    /// <summary>-1 when the model has no padding piece (the SentencePiece default).</summary>
    public required int PadId { get; init; }
    public required bool ByteFallback { get; init; }
    public required bool AddDummyPrefix { get; init; }
    public required bool RemoveExtraWhitespaces { get; init; }
    public required bool EscapeWhitespaces { get; init; }
    public required string NormalizerName { get; init; }
    public required int PrecompiledCharsMapLength { get; init; }

    public const int ModelTypeBpe = 2;
}
