using PaliCuda.Quantization;

namespace PaliCuda.Backends;

/// <summary>
/// How a weight [N, K] stored in a packed format (int8, int4, fp8) sits in backend memory: its <c>.qweight</c> bytes
/// at the tensor's own <see cref="DeviceTensor.Memory"/> / <see cref="DeviceTensor.ByteOffset"/> (<see cref="DataBytes"/>
/// long) and its <c>.scales</c> bytes at <see cref="ScalesMemory"/> / <see cref="ScalesOffset"/>. Both layouts are
/// row-major over the N output rows (<see cref="QuantizedLayout"/>), so the row concatenation of packed weights whose
/// data and scales each lie back to back is itself a packed weight.
/// </summary>
public sealed record PackedWeightStorage(WeightFormat Format, long DataBytes, DeviceMemory ScalesMemory, long ScalesOffset, long ScalesBytes)
{
    /// <summary>Data plus scales: what the weight occupies on the device.</summary>
    public long StoredBytes => DataBytes + ScalesBytes;
}
