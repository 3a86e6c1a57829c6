namespace PaliCuda.Generation;

/// <summary>
/// Chooses the next id from a row of logits restricted to the emittable ids. Greedy = first maximum (as torch.argmax).
/// Sampling follows HF's warpers: logits / T; keep the top-k; keep the nucleus — ids in descending probability
/// while the probability mass before them is below p (the top id is always kept); draw from the renormalised rest.
/// </summary>
public sealed class TokenSampler
{
    private readonly SamplingOptions _options;
    private readonly DeterministicRandom _random;

    public TokenSampler(SamplingOptions options)
    {
        options.Validate();
        _options = options;
        _random = new DeterministicRandom(options.Seed);
    }

    public int Next(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("no logits to choose from", nameof(logits));
        if (_options.IsGreedy) return ArgMax(logits);

        var order = new int[logits.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        var scaled = new double[logits.Length];
        for (var i = 0; i < scaled.Length; i++) scaled[i] = logits[i] / (double)_options.Temperature;
        // Descending by logit; ties keep the lower id first so the order (and the draw) is deterministic.
        Array.Sort(order, (a, b) => scaled[b] != scaled[a] ? scaled[b].CompareTo(scaled[a]) : a.CompareTo(b));

        var keep = _options.TopK > 0 ? Math.Min(_options.TopK, order.Length) : order.Length;
        var max = scaled[order[0]];
        var probs = new double[keep];
        double total = 0;
        for (var r = 0; r < keep; r++) total += probs[r] = Math.Exp(scaled[order[r]] - max);

        if (_options.TopP < 1f)
        {
            double before = 0;
            var nucleus = 0;
            while (nucleus < keep && before < _options.TopP * total)
            {
                before += probs[nucleus];
                nucleus++;
            }
            keep = Math.Max(1, nucleus);
            total = before > 0 ? before : probs[0];
        }

        var u = _random.NextDouble() * total;
        double acc = 0;
        for (var r = 0; r < keep; r++)
        {
            acc += probs[r];
            if (u < acc) return order[r];
        }
        return order[keep - 1];
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
