namespace PaliCuda.Quantization;

/// <summary>How one part of the model's weights is stored on the device (and reconstructed by the CPU reference).</summary>
public enum WeightFormat
{
    /// <summary>As the checkpoint stores it, converted to float32 (the fixtures' reference).</summary>
    F32,
    /// <summary>Rounded to bfloat16, what the GPU stores when nothing is quantized.</summary>
    BF16,
    /// <summary><see cref="Int8RowFormat"/>: int8 with one float32 scale per output row.</summary>
    Int8,
    /// <summary><see cref="Int4GroupFormat"/>: int4 in groups of 128 along the input, one bf16 scale per group.</summary>
    Int4,
    /// <summary><see cref="Fp8RowFormat"/>: fp8 e4m3 with one float32 scale per output row.</summary>
    Fp8,
}
