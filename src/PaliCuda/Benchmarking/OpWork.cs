namespace PaliCuda.Benchmarking;

/// <summary>The arithmetic and the fewest bytes of device memory traffic one run of an op at a shape needs.</summary>
public readonly record struct OpWork(double Flops, double Bytes)
{
    /// <summary>FLOP per byte: above the card's (GEMM rate / bandwidth) ratio the op is compute-bound.</summary>
    public double Intensity => Bytes > 0 ? Flops / Bytes : double.PositiveInfinity;
}
