using System.Globalization;

namespace PaliCuda.Cli.Commands;

/// <summary>
/// The documented ranges of numeric command-line values, checked before any file is opened. The bounds that depend on
/// the model (max new tokens against its positions, top-k against its vocabulary) are checked again by the engine.
/// </summary>
public static class ArgumentRanges
{
    /// <summary>Most tokens one generate call may ask for (the engine further bounds it by the model's positions).</summary>
    public const int MaxNewTokens = 1 << 20;
    /// <summary>Highest temperature accepted; beyond it sampling is uniform noise in float32 anyway.</summary>
    public const float MaxTemperature = 100f;
    /// <summary>Largest top-k accepted (the largest vocabulary a config may declare).</summary>
    public const int MaxTopK = 1 << 24;

    public static void Check(int value, string option, int min, int max)
    {
        if (value < min || value > max)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{option} must be in [{min}, {max}], got {value} (command line)"));
    }

    /// <summary>A finite value in [min, max], or in (min, max] when <paramref name="minExclusive"/>.</summary>
    public static void Check(float value, string option, float min, float max, bool minExclusive = false)
    {
        bool aboveMin = minExclusive ? value > min : value >= min;
        if (!float.IsFinite(value) || !aboveMin || value > max)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{option} must be a number in {(minExclusive ? "(" : "[")}{min}, {max}], got {value} (command line)"));
    }
}
