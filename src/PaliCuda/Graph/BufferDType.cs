namespace PaliCuda.Graph;

/// <summary>Element type of a graph buffer. Both are 4 bytes so one arena serves activations and index vectors.</summary>
public enum BufferDType
{
    F32,
    I32,
}
