namespace PaliCuda.Text;

/// <summary>One object from a PaliGemma <c>detect</c> answer, in pixels of the original image.</summary>
/// <param name="Label">The text after the four location tokens, trimmed (may be empty).</param>
/// <param name="XMin">Left edge: x bin / 1023 × image width.</param>
/// <param name="YMin">Top edge: y bin / 1023 × image height.</param>
/// <param name="XMax">Right edge.</param>
/// <param name="YMax">Bottom edge.</param>
public sealed record DetectedBox(string Label, double XMin, double YMin, double XMax, double YMax);
