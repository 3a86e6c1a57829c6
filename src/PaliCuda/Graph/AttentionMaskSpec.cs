using PaliCuda.Config;

namespace PaliCuda.Graph;

/// <summary>
/// Which keys a query may attend. Positions are 0-based cache positions. Backends evaluate exactly
/// <see cref="IsVisible"/>, so the mask tests check every backend's rule.
/// </summary>
/// <param name="Kind">Base rule.</param>
/// <param name="SlidingWindow">Window W of a sliding-window layer; null for global layers.</param>
/// <param name="WindowSemantics">How the window interacts with the bidirectional prompt.</param>
public sealed record AttentionMaskSpec(AttentionMaskKind Kind, int? SlidingWindow, SlidingWindowSemantics WindowSemantics)
{
    public static AttentionMaskSpec Bidirectional { get; } = new(AttentionMaskKind.Bidirectional, null, SlidingWindowSemantics.None);

    public static AttentionMaskSpec PrefixCausal(int? slidingWindow, SlidingWindowSemantics semantics) =>
        new(AttentionMaskKind.PrefixCausal, slidingWindow, semantics);

    /// <summary>
    /// Visibility of key <paramref name="key"/> to the query at <paramref name="query"/>, given the prompt length.
    /// <list type="bullet">
    /// <item>base (PrefixCausal): key &lt; prefix ∨ key ≤ query;</item>
    /// <item>WindowAlways (HF 4.47): additionally key &gt; query − W — in the prompt this only limits looking back;
    /// in decode it leaves the last W positions including the current one;</item>
    /// <item>WindowOrPrefix: additionally (key &gt; query − W) ∨ (query and key both inside the prompt); decode-time
    /// queries see only the window, as a ring-buffer sliding cache would hold;</item>
    /// <item>None: the window is ignored.</item>
    /// </list>
    /// </summary>
    public bool IsVisible(int query, int key, int prefixLength)
    {
        if (Kind == AttentionMaskKind.Bidirectional) return true;
        var baseVisible = key < prefixLength || key <= query;
        if (!baseVisible || SlidingWindow is not { } w) return baseVisible;
        var inWindow = key > query - w;
        return WindowSemantics switch
        {
            SlidingWindowSemantics.WindowAlways => inWindow,
            SlidingWindowSemantics.WindowOrPrefix => inWindow || (query < prefixLength && key < prefixLength),
            SlidingWindowSemantics.None => true,
            _ => throw new ArgumentOutOfRangeException(nameof(WindowSemantics), WindowSemantics, "unknown sliding-window semantics"),
        };
    }

    /// <summary>Keys a query can ever see lie below this bound (the cache is written up to here).</summary>
    public int KeyLimit(int query, int prefixLength) => Math.Max(prefixLength, query + 1);

    /// <summary>The [queries, keys] visibility matrix of a prefill over a prompt of <paramref name="promptLength"/> tokens.</summary>
    public bool[,] PrefillVisibility(int promptLength)
    {
        var v = new bool[promptLength, promptLength];
        for (var i = 0; i < promptLength; i++)
            for (var j = 0; j < promptLength; j++)
                v[i, j] = IsVisible(i, j, promptLength);
        return v;
    }
}
