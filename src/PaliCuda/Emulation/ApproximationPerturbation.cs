namespace PaliCuda.Emulation;

/// <summary>
/// Moves .approx results within the PTX ISA's stated error bound for each instruction, deterministically
/// (a hash of the seed, instruction, block, thread and result), so a test passing under perturbation shows its
/// tolerance holds for any GPU that meets the ISA's accuracy statements. The bounds, as the PTX ISA (9.7.3,
/// "Floating Point Instructions") states them for .f32: ex2 2 ulp; lg2 absolute 2^-22 for inputs in (0.5, 2) and
/// relative 2^-22 elsewhere; sin/cos absolute 2^-20.5 on [-2π, 2π] and 2^-14.7 on [-100π, 100π], no bound beyond
/// ("best effort": the result is moved anywhere in [-1, 1] there, so a kernel that depends on it fails);
/// rcp 1 ulp; rsqrt relative 2^-22.9; sqrt.approx relative 2^-23; tanh relative 2^-11; div.approx/div.full 2 ulp.
/// </summary>
internal static class ApproximationPerturbation
{
    private enum BoundKind : byte { None, Ulps, Relative, Absolute, Unbounded }

    public static bool Applies(in DecodedInstruction ins) => ins.Op switch
    {
        Opcode.FEx2 or Opcode.FLg2 or Opcode.FSin or Opcode.FCos or Opcode.FTanh or Opcode.FRsqrt => true,
        Opcode.FRcp or Opcode.FSqrt or Opcode.FDiv => (ins.Flags & InstrFlags.Approx) != 0,
        _ => false,
    };

    private static readonly double TwoPi = 2 * Math.PI, HundredPi = 100 * Math.PI;

    /// <summary>The ISA's bound for <paramref name="op"/> at input <paramref name="x"/> (first operand) and result <paramref name="result"/>.</summary>
    private static (BoundKind Kind, double Bound) BoundOf(Opcode op, float x, float result) => op switch
    {
        Opcode.FEx2 => (BoundKind.Ulps, 2),
        // log2 maps (0.5, 2) onto (-1, 1).
        Opcode.FLg2 => MathF.Abs(result) < 1f ? (BoundKind.Absolute, Math.Pow(2, -22)) : (BoundKind.Relative, Math.Pow(2, -22)),
        Opcode.FSin or Opcode.FCos => Math.Abs(x) <= TwoPi ? (BoundKind.Absolute, Math.Pow(2, -20.5))
            : Math.Abs(x) <= HundredPi ? (BoundKind.Absolute, Math.Pow(2, -14.7))
            : (BoundKind.Unbounded, 0),
        Opcode.FRcp => (BoundKind.Ulps, 1),
        Opcode.FRsqrt => (BoundKind.Relative, Math.Pow(2, -22.9)),
        Opcode.FSqrt => (BoundKind.Relative, Math.Pow(2, -23)),
        Opcode.FTanh => (BoundKind.Relative, Math.Pow(2, -11)),
        Opcode.FDiv => (BoundKind.Ulps, 2),
        _ => (BoundKind.None, 0),
    };

    /// <summary>The perturbed f32 result bits. Non-finite and zero results are left alone.</summary>
    public static ulong Apply(ulong resultBits, ulong inputBits, Opcode op, int seed, int pc, long block, int thread)
    {
        float y = FloatMath.Single(resultBits);
        if (!float.IsFinite(y) || y == 0f) return resultBits;
        ulong h = Mix((ulong)(uint)seed ^ Mix((ulong)pc << 40 ^ (ulong)block << 12 ^ (ulong)thread ^ resultBits << 20));
        double u = (h >> 11) * (1.0 / (1UL << 53)) * 2 - 1; // uniform in [-1, 1)
        var (kind, bound) = BoundOf(op, FloatMath.Single(inputBits), y);
        float z;
        switch (kind)
        {
            case BoundKind.Ulps:
            {
                int steps = (int)Math.Round(u * bound);
                z = y;
                for (int i = 0; i < Math.Abs(steps); i++) z = steps > 0 ? MathF.BitIncrement(z) : MathF.BitDecrement(z);
                break;
            }
            case BoundKind.Relative:
            case BoundKind.Absolute:
            {
                double limit = kind == BoundKind.Relative ? Math.Abs(y) * bound : bound;
                z = (float)(y + u * limit);
                // Rounding to f32 may step past the bound: come back one ulp towards y.
                if (Math.Abs((double)z - y) > limit) z = z > y ? MathF.BitDecrement(z) : MathF.BitIncrement(z);
                break;
            }
            case BoundKind.Unbounded:
                z = (float)u;
                break;
            default:
                return resultBits;
        }
        return float.IsFinite(z) ? FloatMath.Bits(z) : resultBits;
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E37_79B9_7F4A_7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return x ^ (x >> 31);
    }
}
