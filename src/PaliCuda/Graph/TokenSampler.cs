namespace PaliCuda.Graph;

/// <summary>
/// The definition of token sampling, and its CPU reference (<see cref="Ops.SampleOp"/> on the CPU backend). The GPU
/// kernel (kernels/sampling.cu) computes the same function bit for bit. Given logits z[0..limit), temperature T,
/// top-k, top-p and a uniform u in [0, 1):
/// <list type="number">
/// <item>Candidates are the ids whose logit is not NaN, ordered by (z desc, id asc) (−0 equals +0). Top-k keeps the
/// first k of that order (all when k = 0 or k ≥ the candidate count).</item>
/// <item>Each kept id gets the mass W = ⌊w·2^40⌋ with w = <see cref="Exp"/>((z − m) / T) in fp32 and m = max z
/// (w = 1 exactly where z = m). S = Σ W over the top-k set, in integers: sums are exact, so every order of summation
/// gives the same S, on every device.</item>
/// <item>Top-p (p &lt; 1): walking the order, an id is kept while the mass of the ids kept before it is &lt; p·S (the
/// first id is always kept). p = 1 keeps the top-k set. S' = the kept mass.</item>
/// <item>Draw: t = ⌊U·S' / 2^32⌋ with U = ⌊u·2^32⌋; walking the kept ids in ascending id order, the first id whose
/// running mass exceeds t. (Id order rather than probability order lets the GPU draw with one block-wide prefix sum;
/// the distribution is the same: id i is chosen for a share W_i / S' of the values of U.)</item>
/// </list>
/// A row with no candidate (every logit NaN) gives id 0, as the argmax does. Ids ≥ limit are never candidates.
/// The mass is fixed point with 40 fraction bits: an id whose w is below 2^−40 (logit more than 27.7·T below the
/// maximum) gets no mass, a probability below 2^−40 per id that the draw does not represent.
/// </summary>
public static class TokenSampler
{
    /// <summary>Fraction bits of the fixed-point mass W = ⌊w·2^40⌋.</summary>
    public const int MassFractionBits = 40;

    /// <summary>
    /// Largest vocabulary the integer sums allow: 2^23 ids of mass ≤ 2^40 sum below 2^63 (PaliGemma's 257 216 is far
    /// inside).
    /// </summary>
    public const int MaxVocabulary = 1 << 23;

    /// <summary>
    /// Below this argument <see cref="Exp"/> returns 0: e^−64 ≈ 1.6·10^−28 is far below the mass resolution 2^−40, and
    /// the cut keeps every intermediate a normal float (no subnormal handling can differ between devices).
    /// </summary>
    public const float ExpCutoff = -64f;

    private const float MassScale = 1099511627776f; // 2^40

    /// <summary>Chooses one token from <paramref name="logits"/> (length = limit); see the type's remarks.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Unusable parameters.</exception>
    /// <exception cref="ArgumentException">No logits, or more than <see cref="MaxVocabulary"/>.</exception>
    public static SampleChoice Choose(ReadOnlySpan<float> logits, SampleParameters parameters, float uniform)
    {
        parameters.Validate();
        if (logits.IsEmpty) throw new ArgumentException("no logits to choose from", nameof(logits));
        if (logits.Length > MaxVocabulary)
            throw new ArgumentException($"{logits.Length} logits exceed the {MaxVocabulary} the integer mass sums allow", nameof(logits));

        // Candidates in (z desc, id asc) order: the high half of the sort key is the order key inverted, the low half the id.
        var order = new List<ulong>(logits.Length);
        for (var i = 0; i < logits.Length; i++)
            if (!float.IsNaN(logits[i])) order.Add(((ulong)~OrderKey(logits[i]) << 32) | (uint)i);
        if (order.Count == 0) return new SampleChoice(0, 0);
        order.Sort();
        var max = logits[Id(order[0])];

        var keep = parameters.UsesTopK ? Math.Min(parameters.TopK, order.Count) : order.Count;
        if (parameters.UsesTopP)
        {
            ulong total = 0;
            for (var j = 0; j < keep; j++) total += Mass(logits[Id(order[j])], max, parameters.Temperature);
            var threshold = Threshold(parameters.TopP, total);
            ulong before = 0;
            var nucleus = 0;
            while (nucleus < keep && before < threshold) before += Mass(logits[Id(order[nucleus++])], max, parameters.Temperature);
            keep = nucleus;
        }

        var kept = new int[keep];
        for (var j = 0; j < keep; j++) kept[j] = Id(order[j]);
        Array.Sort(kept);
        ulong keptMass = 0;
        foreach (var id in kept) keptMass += Mass(logits[id], max, parameters.Temperature);
        var t = DrawPoint(uniform, keptMass);
        ulong running = 0;
        foreach (var id in kept)
        {
            running += Mass(logits[id], max, parameters.Temperature);
            if (running > t) return new SampleChoice(id, keep);
        }
        throw new InvalidOperationException($"the draw point {t} is not below the kept mass {keptMass}");
    }

    /// <summary>W = ⌊w·2^40⌋, w = <see cref="Exp"/>((z − max)/T) in fp32, and exactly 2^40 where z = max.</summary>
    public static ulong Mass(float z, float max, float temperature)
    {
        var w = z == max ? 1f : Exp((z - max) / temperature);
        return (ulong)(w * MassScale);
    }

    /// <summary>
    /// e^x for x ≤ 0 from IEEE fp32 operations only (multiply, fused multiply-add, round to nearest even), so the
    /// device computes the same bits: x = k·ln2 + r with k = rint(x·log2 e) and |r| ≤ ln2/2 (two-part ln2), e^r by its
    /// degree-7 Taylor polynomial (truncation below 6·10^−9 relative), times 2^k. Returns 0 below <see cref="ExpCutoff"/>.
    /// </summary>
    public static float Exp(float x)
    {
        if (!(x >= ExpCutoff)) return 0f;
        var k = MathF.Round(x * 1.44269502f, MidpointRounding.ToEven);
        var r = MathF.FusedMultiplyAdd(-k, 0.693145752f, x);
        r = MathF.FusedMultiplyAdd(-k, 1.42860677e-06f, r);
        var p = MathF.FusedMultiplyAdd(r, 0.000198412701f, 0.00138888892f);
        p = MathF.FusedMultiplyAdd(p, r, 0.00833333377f);
        p = MathF.FusedMultiplyAdd(p, r, 0.0416666679f);
        p = MathF.FusedMultiplyAdd(p, r, 0.166666672f);
        p = MathF.FusedMultiplyAdd(p, r, 0.5f);
        p = MathF.FusedMultiplyAdd(p, r, 1f);
        p = MathF.FusedMultiplyAdd(p, r, 1f);
        return p * BitConverter.Int32BitsToSingle(((int)k + 127) << 23);
    }

    /// <summary>⌈p·S⌉ exactly: a mass before an id is below p·S exactly when it is below this integer.</summary>
    public static ulong Threshold(float topP, ulong total)
    {
        var bits = BitConverter.SingleToUInt32Bits(topP);
        var exponent = (int)(bits >> 23) & 0xFF;
        var mantissa = bits & 0x7FFFFFu;
        // p = mantissa · 2^−shift with the implicit bit for normal numbers.
        var shift = exponent == 0 ? 149 : 150 - exponent;
        if (exponent != 0) mantissa |= 0x800000u;
        var product = (UInt128)mantissa * total;
        if (product == 0) return 0;
        if (shift >= 128) return 1;
        return (ulong)((product + ((UInt128.One << shift) - 1)) >> shift);
    }

    /// <summary>t = ⌊U·S / 2^32⌋ with U = ⌊u·2^32⌋ (u clamped to [0, 1), NaN as 0): always below S when S &gt; 0.</summary>
    public static ulong DrawPoint(float uniform, ulong total)
    {
        uint u = uniform >= 1f ? uint.MaxValue : uniform > 0f ? (uint)(uniform * 4294967296f) : 0u;
        var high = Math.BigMul(u, total, out var low);
        return (high << 32) | (low >> 32);
    }

    /// <summary>Order-preserving key of a non-NaN float (larger float, larger key; −0 and +0 equal).</summary>
    internal static uint OrderKey(float z)
    {
        var bits = BitConverter.SingleToUInt32Bits(z == 0f ? 0f : z);
        return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
    }

    private static int Id(ulong sortKey) => (int)(uint)sortKey;
}
