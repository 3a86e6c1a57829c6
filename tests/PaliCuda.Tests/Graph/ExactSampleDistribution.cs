using PaliCuda.Graph;

namespace PaliCuda.Tests.Graph;

/// <summary>
/// The sampling distribution computed in double from its plain-language definition (softmax of z/T over the top-k ids,
/// cut to the nucleus), written apart from <see cref="TokenSampler"/>'s fixed-point arithmetic so one checks the other.
/// </summary>
internal static class ExactSampleDistribution
{
    /// <summary>Probability per id (0 outside the kept set) and the smallest distance |mass before − p·S| / S over the
    /// top-k order: how far the nucleus cut is from flipping (infinite when top-p is off).</summary>
    public static (double[] Probabilities, double NucleusMargin) Of(float[] logits, SampleParameters p)
    {
        var order = Enumerable.Range(0, logits.Length).Where(i => !float.IsNaN(logits[i]))
            .OrderByDescending(i => (double)logits[i]).ThenBy(i => i).ToList();
        if (p.TopK > 0) order = order.Take(p.TopK).ToList();
        var max = (double)logits[order[0]];
        var weights = order.Select(i => Math.Exp((logits[i] - max) / p.Temperature)).ToList();
        var total = weights.Sum();
        var keep = order.Count;
        var margin = double.PositiveInfinity;
        if (p.TopP < 1)
        {
            double before = 0;
            keep = 0;
            for (var j = 0; j < order.Count; j++)
            {
                margin = Math.Min(margin, Math.Abs(before - p.TopP * total) / total);
                if (j > 0 && !(before < p.TopP * total)) break;
                before += weights[j];
                keep++;
            }
        }
        var kept = weights.Take(keep).Sum();
        var probabilities = new double[logits.Length];
        for (var j = 0; j < keep; j++) probabilities[order[j]] = weights[j] / kept;
        return (probabilities, margin);
    }
}
