namespace PaliCuda.Text;

/// <summary>
/// The kind of a vocabulary entry in a SentencePiece model (ModelProto.SentencePiece.Type; numeric values
/// are the protobuf enum values).
/// </summary>
public enum SentencePiecePieceType
{
    /// <summary>An ordinary piece that the segmentation algorithm may produce.</summary>
    Normal = 1,

    /// <summary>The unknown-token piece.</summary>
    Unknown = 2,

    /// <summary>A control piece (e.g. &lt;bos&gt;, &lt;image&gt;): has an id but is never produced from text.</summary>
    Control = 3,

    /// <summary>A user-defined piece: matched verbatim in the input and always a single id.</summary>
    UserDefined = 4,

    /// <summary>A reserved piece that is never produced.</summary>
    Unused = 5,

    /// <summary>A byte-fallback piece of the form &lt;0xNN&gt;.</summary>
    Byte = 6,
}
