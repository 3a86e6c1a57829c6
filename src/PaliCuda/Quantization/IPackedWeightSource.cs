namespace PaliCuda.Quantization;

/// <summary>A tensor store that holds some weights packed (a quantized checkpoint) and hands them out as they are stored.</summary>
public interface IPackedWeightSource
{
    /// <summary>The packed weight stored under <paramref name="name"/>, or null when it is stored as plain floats.</summary>
    QuantizedWeight? TryGetPacked(string name);
}
