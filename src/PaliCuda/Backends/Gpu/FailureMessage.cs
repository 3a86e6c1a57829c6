using System.Runtime.CompilerServices;

namespace PaliCuda.Backends.Gpu;

/// <summary>
/// The message of a launch check, formatted only when the check fails: every op checks its shapes at each launch, and
/// building the text of a check that passes (shape strings included) would allocate on every launch for nothing.
/// </summary>
[InterpolatedStringHandler]
internal ref struct FailureMessage
{
    private DefaultInterpolatedStringHandler _text;

    public FailureMessage(int literalLength, int formattedCount, bool condition, out bool isEnabled)
    {
        isEnabled = !condition;
        _text = isEnabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);
    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);
    public void AppendFormatted<T>(T value, string? format) => _text.AppendFormatted(value, format);
    public void AppendFormatted(string? value) => _text.AppendFormatted(value);

    public string ToStringAndClear() => _text.ToStringAndClear();
}
