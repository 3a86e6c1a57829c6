using NUnit.Framework;
using PaliCuda.Native.Blas;
using PaliCuda.Native.Driver;

namespace PaliCuda.Tests.Native;

/// <summary>bf16 GEMMs through cuBLAS against a double-precision CPU GEMM of the same bf16 inputs.</summary>
[TestFixture]
[Category("Gpu")]
public class GpuCublasTests
{
    // Sizes are deliberately not multiples of 8/16 so that edge tiles are exercised.
    private const int M = 37;
    private const int N = 45;
    private const int K = 96;

    /// <summary>
    /// fp32 accumulation of K products errs by at most about K·2⁻²⁴ ≈ 5.7e-6 of Σ|a·b| (K = 96);
    /// 1e-4 leaves a 16× margin for the tensor-core reduction order.
    /// </summary>
    private const double Fp32AccumulationTolerance = 1e-4;

    /// <summary>Rounding the fp32 result to bf16 (8 significant bits) moves it by at most half an ulp: 2⁻⁸ relative.</summary>
    private const double BFloat16OutputTolerance = 1.0 / 256;

    [Test]
    public void GemmExWithBFloat16InputsAndFloat32OutputMatchesCpu()
    {
        using var context = GpuRequired.ContextOrIgnore();
        var (a, b, seed) = RandomInputs(batch: 1);
        TestContext.Out.WriteLine($"seed {seed}");
        using var blas = CublasHandle.Create(context);
        TestContext.Out.WriteLine($"cuBLAS {blas.GetVersion()}");
        using var deviceA = Upload(context, a);
        using var deviceB = Upload(context, b);
        using var deviceC = DeviceBuffer.Allocate(context, M * N * sizeof(float));

        RowMajorGemm(blas, deviceA.Pointer, deviceB.Pointer, deviceC.Pointer, CudaDataType.Float32);
        context.Synchronize();
        var c = new float[M * N];
        deviceC.CopyToHost<float>(c);
        AssertMatchesCpu(a, b, 0, i => c[i], relativeOutputRounding: 0);
    }

    [Test]
    public void GemmExWithBFloat16OutputMatchesCpuWithinOneRounding()
    {
        using var context = GpuRequired.ContextOrIgnore();
        var (a, b, seed) = RandomInputs(batch: 1);
        TestContext.Out.WriteLine($"seed {seed}");
        using var blas = CublasHandle.Create(context);
        using var stream = CudaStream.Create(context);
        blas.SetStream(stream);
        using var deviceA = Upload(context, a);
        using var deviceB = Upload(context, b);
        using var deviceC = DeviceBuffer.Allocate(context, M * N * sizeof(ushort));

        RowMajorGemm(blas, deviceA.Pointer, deviceB.Pointer, deviceC.Pointer, CudaDataType.BFloat16);
        stream.Synchronize();
        var c = new ushort[M * N];
        deviceC.CopyToHost<ushort>(c);
        AssertMatchesCpu(a, b, 0, i => TestBFloat16.ToSingle(c[i]), BFloat16OutputTolerance);
    }

    [Test]
    public void StridedBatchedGemmMatchesCpuPerBatch()
    {
        const int batch = 3;
        using var context = GpuRequired.ContextOrIgnore();
        var (a, b, seed) = RandomInputs(batch);
        TestContext.Out.WriteLine($"seed {seed}");
        using var blas = CublasHandle.Create(context);
        using var workspace = DeviceBuffer.Allocate(context, 4 << 20);
        var applied = blas.TrySetWorkspace(workspace.Pointer, workspace.ByteLength);
        Assert.That(applied, Is.EqualTo(CublasLibrary.SupportsSetWorkspace));
        using var deviceA = Upload(context, a);
        using var deviceB = Upload(context, b);
        using var deviceC = DeviceBuffer.Allocate(context, batch * M * N * sizeof(float));

        // Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ: B goes first, m and n swap.
        blas.GemmStridedBatchedEx(
            CublasOperation.None, CublasOperation.None, N, M, K,
            1f, deviceB.Pointer, CudaDataType.BFloat16, N, (long)K * N,
            deviceA.Pointer, CudaDataType.BFloat16, K, (long)M * K,
            0f, deviceC.Pointer, CudaDataType.Float32, N, (long)M * N,
            batch);
        context.Synchronize();
        var c = new float[batch * M * N];
        deviceC.CopyToHost<float>(c);
        for (var p = 0; p < batch; p++)
        {
            var offset = p * M * N;
            AssertMatchesCpu(a, b, p, i => c[offset + i], relativeOutputRounding: 0);
        }
    }

    private static void RowMajorGemm(CublasHandle blas, DevicePointer a, DevicePointer b, DevicePointer c, CudaDataType outputType) =>
        blas.GemmEx(
            CublasOperation.None, CublasOperation.None, N, M, K,
            1f, b, CudaDataType.BFloat16, N,
            a, CudaDataType.BFloat16, K,
            0f, c, outputType, N);

    /// <summary>Checks batch <paramref name="p"/> of a row-major [M,K]·[K,N] product element by element.</summary>
    private static void AssertMatchesCpu(ushort[] a, ushort[] b, int p, Func<int, float> actual, double relativeOutputRounding)
    {
        for (var row = 0; row < M; row++)
        {
            for (var col = 0; col < N; col++)
            {
                double sum = 0, magnitude = 0;
                for (var k = 0; k < K; k++)
                {
                    var product = (double)TestBFloat16.ToSingle(a[p * M * K + row * K + k]) * TestBFloat16.ToSingle(b[p * K * N + k * N + col]);
                    sum += product;
                    magnitude += Math.Abs(product);
                }

                var tolerance = Fp32AccumulationTolerance * magnitude + relativeOutputRounding * Math.Abs(sum);
                Assert.That((double)actual(row * N + col), Is.EqualTo(sum).Within(tolerance), $"batch {p}, C[{row},{col}]");
            }
        }
    }

    private static (ushort[] A, ushort[] B, int Seed) RandomInputs(int batch)
    {
        var seed = Random.Shared.Next();
        var random = new Random(seed);
        ushort[] Make(int count) => Enumerable.Range(0, count).Select(_ => TestBFloat16.FromSingle((float)(random.NextDouble() * 2 - 1))).ToArray();
        return (Make(batch * M * K), Make(batch * K * N), seed);
    }

    private static DeviceBuffer Upload(CudaContext context, ushort[] values)
    {
        var buffer = DeviceBuffer.Allocate(context, values.Length * sizeof(ushort));
        buffer.CopyFromHost<ushort>(values);
        return buffer;
    }
}
