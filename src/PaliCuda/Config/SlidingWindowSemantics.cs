namespace PaliCuda.Config;

/// <summary>
/// How Gemma 2's sliding window interacts with PaliGemma's bidirectional prefix. The variants differ only once the
/// prompt is longer than the window (896 px prompts: 4096 image tokens + text).
/// </summary>
public enum SlidingWindowSemantics
{
    /// <summary>
    /// Hugging Face transformers 4.47 (the fixtures; also gemma.cpp): in sliding layers query i never sees key j
    /// when j ≤ i − window, even inside the prefix; looking ahead within the prefix is not limited.
    /// </summary>
    WindowAlways,
    /// <summary>Newer transformers: a key is visible if it is inside the window OR inside the prefix.</summary>
    WindowOrPrefix,
    /// <summary>No sliding window at all: sliding layers behave like global ones.</summary>
    None,
}
