namespace PaliCuda.Checkpoint;

/// <summary>Progress of a pass that reads every weight byte (validation or conversion).</summary>
/// <param name="TensorName">The tensor being processed.</param>
/// <param name="TensorsDone">Tensors finished so far.</param>
/// <param name="TensorCount">Tensors in the pass.</param>
/// <param name="BytesDone">Bytes finished so far.</param>
/// <param name="TotalBytes">Bytes in the pass.</param>
public sealed record CheckpointLoadProgress(string TensorName, int TensorsDone, int TensorCount, long BytesDone, long TotalBytes)
{
    public double Fraction => TotalBytes == 0 ? 1.0 : (double)BytesDone / TotalBytes;
}
