namespace PaliCuda.Devices;

/// <summary>The argument checks every <see cref="IDeviceBlas"/> implementation applies before touching memory.</summary>
public static class GemmValidation
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the offending argument when the call would read or write outside its buffers.</summary>
    public static void Validate(BlasTranspose transA, BlasTranspose transB, int m, int n, int k, GemmOperand a, GemmOperand b, GemmOperand c, int batchCount)
    {
        if (m < 0 || n < 0 || k < 0 || batchCount < 1)
            throw new ArgumentException($"GEMM sizes m={m}, n={n}, k={k}, batch={batchCount} must be non-negative (batch at least 1)");
        var (aRows, aCols) = transA == BlasTranspose.None ? (m, k) : (k, m);
        var (bRows, bCols) = transB == BlasTranspose.None ? (k, n) : (n, k);
        Check("A", a, aRows, aCols, batchCount);
        Check("B", b, bRows, bCols, batchCount);
        Check("C", c, m, n, batchCount);
    }

    private static void Check(string name, GemmOperand op, int rows, int cols, int batch)
    {
        if (op.LeadingDimension < Math.Max(1, rows))
            throw new ArgumentException($"GEMM operand {name}: leading dimension {op.LeadingDimension} is smaller than its {rows} rows");
        if (rows == 0 || cols == 0) return;
        var lastElement = (long)(batch - 1) * op.BatchStride + (long)(cols - 1) * op.LeadingDimension + rows;
        if (lastElement * op.ElementBytes > op.Buffer.ByteLength)
            throw new ArgumentException($"GEMM operand {name} ({rows}x{cols} {op.Type}, ld {op.LeadingDimension}, batch {batch} stride {op.BatchStride}) needs {lastElement * op.ElementBytes} bytes but {op.Buffer} holds {op.Buffer.ByteLength}");
    }
}
