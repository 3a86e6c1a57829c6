namespace PaliCuda.Backends.Cpu;

/// <summary>
/// Host memory of the CPU backend: a float array (int tensors are reinterpreted in place; both are 4 bytes). A float
/// array rather than bytes so a single weight may exceed 2 GiB (the 257k×2304 embedding is 2.4 GB).
/// </summary>
public sealed class CpuMemory : DeviceMemory
{
    public float[] Data { get; }
    public override long ByteLength => Data.LongLength * 4;

    public CpuMemory(float[] data, string label) : base(label) => Data = data;
}
