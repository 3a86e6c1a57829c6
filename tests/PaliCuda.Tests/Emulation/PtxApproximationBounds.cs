namespace PaliCuda.Tests.Emulation;

/// <summary>
/// The PTX ISA's accuracy statements for the .f32 .approx instructions (PTX ISA 9.7.3, "Floating Point Instructions"),
/// as the largest distance a conforming GPU's result may have from the exact one, for the columns of the approx_ops
/// test kernel (EmulatorKernels/checks.cu).
/// </summary>
internal static class PtxApproximationBounds
{
    /// <summary>approx_ops writes these instructions' results, in this order, for each input.</summary>
    public static readonly string[] ApproxOpsColumns = ["ex2", "lg2", "sin", "cos", "rcp", "rsqrt", "tanh", "sqrt", "div"];

    /// <summary>
    /// The bound for <paramref name="op"/> where the kernel's input is <paramref name="x"/> and the exact result
    /// <paramref name="exact"/>. sin/cos carry no bound outside [-100π, 100π]: infinity there.
    /// </summary>
    public static double Of(string op, float x, float exact) => op switch
    {
        "ex2" => Ulps(exact, 2),
        // log2 maps (0.5, 2) onto (-1, 1): absolute 2^-22 there, relative elsewhere.
        "lg2" => Math.Abs(exact) < 1 ? Math.Pow(2, -22) : Math.Pow(2, -22) * Math.Abs(exact),
        "sin" or "cos" => Math.Abs(x) <= 2 * Math.PI ? Math.Pow(2, -20.5) : Math.Abs(x) <= 100 * Math.PI ? Math.Pow(2, -14.7) : double.PositiveInfinity,
        "rcp" => Ulps(exact, 1),
        "rsqrt" => Math.Pow(2, -22.9) * Math.Abs(exact),
        "tanh" => Math.Pow(2, -11) * Math.Abs(exact),
        "sqrt" => Math.Pow(2, -23) * Math.Abs(exact),
        "div" => Ulps(exact, 2),
        _ => throw new ArgumentException($"no ISA bound recorded for '{op}'", nameof(op)),
    };

    // The tiny factor absorbs the double arithmetic of the comparison itself.
    private static double Ulps(float v, int n) => n * (MathF.BitIncrement(MathF.Abs(v)) - MathF.Abs(v)) * 1.0000001;
}
