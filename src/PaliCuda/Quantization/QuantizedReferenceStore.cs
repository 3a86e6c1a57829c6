using PaliCuda.Checkpoint;
using PaliCuda.Numerics;

namespace PaliCuda.Quantization;

/// <summary>
/// The CPU reference of a <see cref="QuantizationPlan"/>: each weight read through it is what the GPU would hold,
/// reconstructed in float32 — quantize → dequantize (scale × q) for packed formats, round-to-nearest-even bf16 for
/// bf16, unchanged for f32. The CPU backend then computes in float32 on exactly the GPU's weight values.
/// </summary>
public sealed class QuantizedReferenceStore : ReconstructedTensorStore
{
    public QuantizationPlan Plan { get; }

    /// <param name="ownsInner">False to leave <paramref name="inner"/> open when this store is disposed.</param>
    public QuantizedReferenceStore(ITensorStore inner, QuantizationPlan plan, bool ownsInner = true) : base(inner, ownsInner) => Plan = plan;

    public override IReadOnlyCollection<string> Names => Inner.Names;

    protected override TensorInfo? DescribeComputed(string name)
    {
        if (!Inner.TryDescribe(name, out var info) || !info.DType.IsConvertibleToFloat32()) return null;
        if (Plan.FormatFor(name, info.Shape.Length) == WeightFormat.F32) return null;
        return info with { DType = TensorDType.F32, DataOffset = 0, ByteLength = info.ElementCount * sizeof(float) };
    }

    protected override float[] Compute(string name, TensorInfo logical)
    {
        var values = Inner.ReadFloat32(name);
        var format = Plan.FormatFor(name, logical.Shape.Length);
        if (format == WeightFormat.BF16) return RoundToBFloat16(values);
        return QuantizedWeight.Quantize(format, values, checked((int)logical.Shape[0]), checked((int)logical.Shape[1])).Dequantize();
    }

    internal static float[] RoundToBFloat16(float[] values)
    {
        for (int i = 0; i < values.Length; i++) values[i] = BFloat16.FromBits(BFloat16.RoundToBits(values[i]));
        return values;
    }
}
