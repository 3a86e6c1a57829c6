using System.Buffers.Binary;
using System.Text;

using static PaliCuda.Text.SentencePieceProto;

namespace PaliCuda.Text;

/// <summary>
/// Serialises a <see cref="SentencePieceModel"/> as a SentencePiece <c>ModelProto</c> (the inverse of
/// <see cref="SentencePieceModelReader"/>), so a vocabulary that arrived in another format can be handed to the same
/// Microsoft.ML.Tokenizers encoder that loads <c>tokenizer.model</c> files.
/// </summary>
internal static class SentencePieceModelWriter
{
    public static byte[] Write(SentencePieceModel model)
    {
        var output = new MemoryStream();
        var message = new MemoryStream();
        for (int id = 0; id < model.Pieces.Count; id++)
        {
            message.SetLength(0);
            WriteString(message, PiecePiece, model.Pieces[id]);
            WriteFloat(message, PieceScore, model.Scores[id]);
            WriteVarintField(message, PieceType, (ulong)model.Types[id]);
            WriteMessage(output, ModelPieces, message);
        }

        message.SetLength(0);
        WriteVarintField(message, TrainerModelType, (ulong)model.ModelType);
        WriteVarintField(message, TrainerVocabSize, (ulong)model.Pieces.Count);
        WriteVarintField(message, TrainerByteFallback, model.ByteFallback ? 1UL : 0UL);
        WriteIdAndPiece(message, TrainerUnkId, TrainerUnkPiece, model.UnkId, model);
        WriteIdAndPiece(message, TrainerBosId, TrainerBosPiece, model.BosId, model);
        WriteIdAndPiece(message, TrainerEosId, TrainerEosPiece, model.EosId, model);
        WriteIdAndPiece(message, TrainerPadId, TrainerPadPiece, model.PadId, model);
        WriteMessage(output, ModelTrainerSpec, message);

        message.SetLength(0);
        WriteString(message, NormalizerName, model.NormalizerName);
        WriteVarintField(message, NormalizerAddDummyPrefix, model.AddDummyPrefix ? 1UL : 0UL);
        WriteVarintField(message, NormalizerRemoveExtraWhitespaces, model.RemoveExtraWhitespaces ? 1UL : 0UL);
        WriteVarintField(message, NormalizerEscapeWhitespaces, model.EscapeWhitespaces ? 1UL : 0UL);
        WriteMessage(output, ModelNormalizerSpec, message);
        return output.ToArray();
    }

    private static void WriteIdAndPiece(MemoryStream message, int idField, int pieceField, int id, SentencePieceModel model)
    {
        // Negative ids (no pad piece) are int32 fields, which protobuf encodes as 10-byte two's-complement varints.
        WriteVarintField(message, idField, unchecked((ulong)(long)id));
        if (id >= 0 && id < model.Pieces.Count)
            WriteString(message, pieceField, model.Pieces[id]);
    }

    private static void WriteMessage(MemoryStream output, int field, MemoryStream message)
    {
        WriteTag(output, field, WireLengthDelimited);
        WriteVarint(output, (ulong)message.Length);
        message.Position = 0;
        message.CopyTo(output);
    }

    private static void WriteString(MemoryStream output, int field, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteTag(output, field, WireLengthDelimited);
        WriteVarint(output, (ulong)bytes.Length);
        output.Write(bytes);
    }

    private static void WriteFloat(MemoryStream output, int field, float value)
    {
        WriteTag(output, field, WireFixed32);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        output.Write(bytes);
    }

    private static void WriteVarintField(MemoryStream output, int field, ulong value)
    {
        WriteTag(output, field, WireVarint);
        WriteVarint(output, value);
    }

    private static void WriteTag(MemoryStream output, int field, int wire) => WriteVarint(output, ((ulong)field << 3) | (uint)wire);

    private static void WriteVarint(MemoryStream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        output.WriteByte((byte)value);
    }
}
