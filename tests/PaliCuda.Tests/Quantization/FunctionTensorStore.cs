using PaliCuda.Checkpoint;
using PaliCuda.Quantization;

namespace PaliCuda.Tests.Quantization;

/// <summary>
/// The plan's CPU reference, except that the weights the plan packs are reconstructed by <paramref name="reconstruct"/>
/// from the original values wherever the plan gives them <paramref name="target"/>: for comparing format variants end to end. Leaves <paramref name="raw"/> open.
/// </summary>
internal sealed class FunctionTensorStore(ITensorStore raw, QuantizationPlan plan, WeightFormat target, QuantizationVariants.Reconstruct reconstruct)
    : ReconstructedTensorStore(new QuantizedReferenceStore(raw, plan, ownsInner: false), ownsInner: true)
{
    public override IReadOnlyCollection<string> Names => Inner.Names;

    protected override TensorInfo? DescribeComputed(string name) =>
        Inner.TryDescribe(name, out var info) && plan.FormatFor(name, info.Shape.Length) == target ? info : null;

    protected override float[] Compute(string name, TensorInfo logical) =>
        reconstruct(raw.ReadFloat32(name), (int)logical.Shape[0], (int)logical.Shape[1]);
}
