namespace PaliCuda.Kernels;

/// <summary>Which embedded machine code a device can run.</summary>
public static class KernelBinaryArchitecture
{
    /// <summary>
    /// The architecture among <paramref name="available"/> (names "sm_XY") whose code runs on a device of compute
    /// capability <paramref name="major"/>.<paramref name="minor"/>, or null when none does. Machine code runs on devices
    /// of its own major version and an equal or higher minor one (sm_80 code on 8.0, 8.6 and 8.9; sm_90 code on 9.0);
    /// of those the highest minor is taken. Any other device JIT-compiles the PTX, which runs on every later architecture.
    /// </summary>
    public static string? For(int major, int minor, IEnumerable<string> available)
    {
        string? best = null;
        var bestMinor = -1;
        foreach (var arch in available)
        {
            // "sm_XY": one digit of minor version after the major ones; anything else (e.g. "sm_90a") is not plain code.
            if (!arch.StartsWith("sm_", StringComparison.Ordinal) || arch.Length < 5 || !int.TryParse(arch.AsSpan(3), out var sm)) continue;
            var (m, n) = (sm / 10, sm % 10);
            if (m == major && n <= minor && n > bestMinor)
            {
                best = arch;
                bestMinor = n;
            }
        }
        return best;
    }
}
