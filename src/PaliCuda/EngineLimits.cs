using PaliCuda.Checkpoint;
using PaliCuda.Imaging;
using PaliCuda.Text;

namespace PaliCuda;

/// <summary>
/// Every bound the engine puts on untrusted input, in one place. Each is checked before the expensive work it guards
/// (reading, decoding, tokenizing, allocating) and a breach is a <see cref="PaliCudaInputException"/> that names the
/// limit. Defaults sit far above any released PaliGemma 2 checkpoint; raise one here when a real input needs it.
/// Fixed bounds that no real input approaches (config.json size and nesting,
/// <see cref="Config.PaliGemmaConfigReader.MaxFileBytes"/>; absurd config values) are not configurable.
/// </summary>
public sealed record EngineLimits
{
    /// <summary>Safetensors header size, tensor count, rank, and the shard index size.</summary>
    public SafetensorsLimits Safetensors { get; init; } = SafetensorsLimits.Default;

    /// <summary>tokenizer.model size, piece count and piece length.</summary>
    public TokenizerLimits Tokenizer { get; init; } = TokenizerLimits.Default;

    /// <summary>Image file size and width × height, checked from the header before decoding.</summary>
    public ImageLimits Images { get; init; } = ImageLimits.Default;

    /// <summary>
    /// Longest prompt in UTF-16 characters, checked before tokenizing (65,536). The token count is then checked
    /// against the model's positions / <c>EngineOptions.MaxTotalTokens</c> (<see cref="PromptTooLongException"/>).
    /// </summary>
    public int MaxPromptChars { get; init; } = 1 << 16;

    /// <summary>The defaults.</summary>
    public static EngineLimits Default { get; } = new();
}
