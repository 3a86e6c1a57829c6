namespace PaliCuda.Graph;

/// <summary>
/// Element type of a buffer. Graphs declare F32 (any float tensor) or I32; a backend may store a float tensor as
/// BF16 (<see cref="Backends.IBackend.FloatStorage"/>), so BF16 appears on the tensors the executor hands to it.
/// </summary>
public enum BufferDType
{
    F32,
    I32,
    BF16,
}
