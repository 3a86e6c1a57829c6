namespace PaliCuda.Text;

// Loading from Hugging Face's tokenizer.json, for checkpoints that ship no tokenizer.model.
public sealed partial class PaliGemmaTokenizer
{
    /// <summary>The file name Hugging Face gives a serialised fast tokenizer.</summary>
    public const string TokenizerJsonFileName = "tokenizer.json";

    /// <summary>
    /// Loads a Hugging Face <c>tokenizer.json</c> of the Gemma kind (BPE with byte fallback, as transformers converts
    /// <c>tokenizer.model</c>). The result encodes and decodes exactly as <see cref="FromSentencePieceFile"/> does on
    /// the <c>tokenizer.model</c> the JSON was converted from: the JSON is turned back into that SentencePiece model
    /// (merge ranks become piece scores, added tokens become control/user-defined pieces) and loaded the same way.
    /// </summary>
    /// <exception cref="TokenizerFormatException">The file cannot be read, is not JSON, is over the limits, or uses a
    /// tokenizer feature a SentencePiece BPE model cannot express; the message names the file and the JSON field.</exception>
    public static PaliGemmaTokenizer FromTokenizerJsonFile(string path, TokenizerLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= TokenizerLimits.Default;
        return FromTokenizerJson(ReadTokenizerFile(path, limits), path, limits);
    }

    /// <summary>Loads a <c>tokenizer.json</c> from its UTF-8 bytes; <paramref name="sourceName"/> is used in error messages.</summary>
    /// <exception cref="TokenizerFormatException">See <see cref="FromTokenizerJsonFile"/>.</exception>
    public static PaliGemmaTokenizer FromTokenizerJson(byte[] jsonBytes, string sourceName, TokenizerLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(jsonBytes);
        ArgumentNullException.ThrowIfNull(sourceName);
        limits ??= TokenizerLimits.Default;
        var model = HuggingFaceTokenizerJsonReader.Read(jsonBytes, sourceName, limits);
        // The rebuilt model's size follows from the piece count and lengths already checked; the file-size bound was
        // applied to the JSON (the protobuf of many short pieces can be a little larger than their JSON).
        return FromSentencePiece(SentencePieceModelWriter.Write(model), sourceName, limits with { MaxFileBytes = long.MaxValue });
    }
}
