using System.Runtime.InteropServices;
using PaliCuda.Devices;
using PaliCuda.Numerics;

namespace PaliCuda.Emulation.Blas;

/// <summary>
/// <see cref="IDeviceBlas"/> for a device without cuBLAS (the PTX emulator): copies the operands to the host,
/// multiplies in fp32 (each dot product accumulated in fp32, as cuBLAS's fp32 compute type does), rounds once
/// into C's type and copies C back. It works through the device's own copy methods, so it is ordered with the
/// device's other work, but it cannot be recorded into a captured graph: a call on a capturing stream throws.
/// </summary>
public sealed class EmulatedBlas(IComputeDevice device) : IDeviceBlas
{
    public void Gemm(BlasTranspose transA, BlasTranspose transB, int m, int n, int k, float alpha, GemmOperand a, GemmOperand b,
        float beta, GemmOperand c, int batchCount = 1, IComputeStream? stream = null)
    {
        GemmValidation.Validate(transA, transB, m, n, k, a, b, c, batchCount);
        if (stream?.IsCapturing == true || device.DefaultStream.IsCapturing)
            throw new InvalidOperationException("the emulated BLAS cannot be recorded into a captured graph; run the GEMM outside capture");
        if (m == 0 || n == 0) return;
        for (var batch = 0; batch < batchCount; batch++)
        {
            // op(A) as row-major m×k and op(B)ᵀ as row-major n×k, so each C element is one contiguous dot product.
            var opA = ReadMatrix(a, transA == BlasTranspose.None ? m : k, transA == BlasTranspose.None ? k : m, batch, transposeToRowMajor: transA == BlasTranspose.None);
            var opBt = ReadMatrix(b, transB == BlasTranspose.None ? k : n, transB == BlasTranspose.None ? n : k, batch, transposeToRowMajor: transB != BlasTranspose.None);
            var cValues = beta != 0f ? ReadColumnMajor(c, m, n, batch) : new float[(long)m * n];
            for (var j = 0; j < n; j++)
            {
                var bRow = opBt.AsSpan(j * k, k);
                for (var i = 0; i < m; i++)
                {
                    var dot = k == 0 ? 0f : Dot(opA.AsSpan(i * k, k), bRow);
                    var idx = (long)j * m + i;
                    cValues[idx] = beta != 0f ? alpha * dot + beta * cValues[idx] : alpha * dot;
                }
            }
            WriteColumnMajor(c, m, n, batch, cValues, stream);
        }
    }

    // Sequential fp32 fused accumulation: the result an fp32-accumulating GEMM would give up to summation order.
    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var s = 0f;
        for (var i = 0; i < x.Length; i++) s = MathF.FusedMultiplyAdd(x[i], y[i], s);
        return s;
    }

    /// <summary>
    /// Reads the stored rows×cols column-major matrix and returns it row-major as the GEMM wants it: when
    /// <paramref name="transposeToRowMajor"/> the stored matrix itself row-major (rows×cols), otherwise its transpose
    /// (cols×rows) row-major, which is the stored columns laid one after another.
    /// </summary>
    private float[] ReadMatrix(GemmOperand op, int rows, int cols, int batch, bool transposeToRowMajor)
    {
        var stored = ReadColumnMajor(op, rows, cols, batch); // stored[col * rows + row]
        if (!transposeToRowMajor) return stored;
        var r = new float[stored.Length];
        for (var col = 0; col < cols; col++)
            for (var row = 0; row < rows; row++)
                r[row * cols + col] = stored[col * rows + row];
        return r;
    }

    private float[] ReadColumnMajor(GemmOperand op, int rows, int cols, int batch)
    {
        var result = new float[(long)rows * cols];
        var columnBytes = rows * op.ElementBytes;
        var raw = new byte[columnBytes];
        for (var col = 0; col < cols; col++)
        {
            var offset = ((long)batch * op.BatchStride + (long)col * op.LeadingDimension) * op.ElementBytes;
            device.CopyDeviceToHost(op.Buffer.Slice(offset, columnBytes), raw);
            var dst = result.AsSpan(col * rows, rows);
            if (op.Type == BlasElementType.Float32) MemoryMarshal.Cast<byte, float>(raw).CopyTo(dst);
            else
            {
                var bits = MemoryMarshal.Cast<byte, ushort>(raw);
                for (var i = 0; i < rows; i++) dst[i] = BitConverter.UInt32BitsToSingle((uint)bits[i] << 16);
            }
        }
        return result;
    }

    private void WriteColumnMajor(GemmOperand op, int rows, int cols, int batch, float[] values, IComputeStream? stream)
    {
        var columnBytes = rows * op.ElementBytes;
        var raw = new byte[columnBytes];
        for (var col = 0; col < cols; col++)
        {
            var src = values.AsSpan(col * rows, rows);
            if (op.Type == BlasElementType.Float32) MemoryMarshal.AsBytes(src).CopyTo(raw);
            else
            {
                var bits = MemoryMarshal.Cast<byte, ushort>(raw.AsSpan());
                for (var i = 0; i < rows; i++) bits[i] = BFloat16.RoundToBits(src[i]);
            }
            var offset = ((long)batch * op.BatchStride + (long)col * op.LeadingDimension) * op.ElementBytes;
            device.CopyHostToDevice(raw, op.Buffer.Slice(offset, columnBytes), stream);
        }
    }
}
