using PaliCuda.Generation;
using PaliCuda.Text;

namespace PaliCuda.Pipeline;

/// <summary>
/// One answered prompt: the ids that went in, the generation, its text with special tokens skipped
/// (<see cref="Text"/>) and kept (<see cref="RawText"/>), and the boxes parsed from a detect answer in pixels of the
/// original image.
/// </summary>
public sealed record PipelineResult(
    IReadOnlyList<int> InputIds,
    GenerationResult Generation,
    string Text,
    string RawText,
    IReadOnlyList<DetectedBox> Boxes,
    int ImageWidth,
    int ImageHeight);
