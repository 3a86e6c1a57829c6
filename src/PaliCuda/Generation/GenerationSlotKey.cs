namespace PaliCuda.Generation;

/// <summary>
/// The shape class of a generation: generations with equal keys run the same recorded graphs and can share one
/// <see cref="GenerationSlot"/>.
/// </summary>
/// <param name="PromptCapacity">Ids the prefill graph takes (the prompt length rounded up to the prefill bucket).</param>
/// <param name="CacheCapacity">KV-cache positions (prompt class + new tokens rounded up to the KV bucket).</param>
/// <param name="DeviceSampling">
/// How the graphs choose the token: false for the greedy argmax, true for the sampling op. Temperature, top-k, top-p
/// and the seed are not part of the key: they reach the graph as the <see cref="Model.PaliGemmaModel.SampleControls"/>
/// input of every step, so generations with any sampling settings share one sampling slot of their class.
/// </param>
internal readonly record struct GenerationSlotKey(int PromptCapacity, int CacheCapacity, bool DeviceSampling)
{
    /// <summary>
    /// The class of a prompt of <paramref name="promptLength"/> ids generating up to <paramref name="maxNewTokens"/>,
    /// under a limit of <paramref name="tokenLimit"/> positions (which the caller has checked prompt + new tokens fits).
    /// </summary>
    public static GenerationSlotKey For(int promptLength, int maxNewTokens, int tokenLimit, int prefillBucket, int kvBucket,
        bool sampling = false)
    {
        var prompt = Math.Min(RoundUp(promptLength, prefillBucket), Math.Max(promptLength, tokenLimit));
        // At least one decode position, as before pooling: the cache is never exactly full after the prefill.
        var needed = Math.Max(prompt, promptLength + Math.Max(1, maxNewTokens));
        var cache = Math.Min(RoundUp(needed, kvBucket), Math.Max(needed, tokenLimit));
        return new GenerationSlotKey(prompt, cache, sampling);
    }

    private static int RoundUp(int value, int multiple) => (int)Math.Min(int.MaxValue, ((long)value + multiple - 1) / multiple * multiple);
}
