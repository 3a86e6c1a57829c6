using PaliCuda.Checkpoint;

namespace PaliCuda.Quantization;

/// <summary>The stored dtypes and shapes of a packed [rows, columns] weight's <c>.qweight</c> and <c>.scales</c> tensors.</summary>
public sealed record QuantizedLayout(TensorDType DataDType, long[] DataShape, TensorDType ScalesDType, long[] ScalesShape)
{
    public long DataBytes => DataShape.Aggregate(1L, (a, b) => a * b) * DataDType.SizeInBytes();
    public long ScalesBytes => ScalesShape.Aggregate(1L, (a, b) => a * b) * ScalesDType.SizeInBytes();

    public static QuantizedLayout For(WeightFormat format, long rows, long columns) => format switch
    {
        WeightFormat.Int8 => new(TensorDType.I8, [rows, columns], TensorDType.F32, [rows]),
        WeightFormat.Int4 => new(TensorDType.U8, [rows, Int4GroupFormat.RowBytes(checked((int)columns))],
            TensorDType.BF16, [rows, Int4GroupFormat.GroupCount(checked((int)columns))]),
        WeightFormat.Fp8 => new(TensorDType.F8E4M3, [rows, columns], TensorDType.F32, [rows]),
        _ => throw new ArgumentException($"{format.ToName()} is not a packed format", nameof(format)),
    };
}
