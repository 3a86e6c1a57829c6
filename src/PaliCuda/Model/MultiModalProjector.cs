using PaliCuda.Graph;

namespace PaliCuda.Model;

/// <summary>PaliGemma's projector: one Linear (with bias) from the vision width to the text width.</summary>
public sealed class MultiModalProjector
{
    public const string Prefix = "multi_modal_projector.linear.";
    private readonly int _visionHidden;
    private readonly int _textHidden;

    public MultiModalProjector(int visionHidden, int textHidden)
    {
        _visionHidden = visionHidden;
        _textHidden = textHidden;
    }

    /// <summary>[patches, Dv] → "projector_output" [patches, D].</summary>
    public BufferId Record(GraphBuilder g, BufferId visionOut)
    {
        var w = g.Weight(Prefix + "weight", _textHidden, _visionHidden); // [D, Dv]
        var b = g.Weight(Prefix + "bias", _textHidden);                  // [D]
        return g.MatMul(visionOut, w, b, "projector_output");
    }
}
