namespace PaliCuda.Imaging.Jpeg;

/// <summary>A component of the frame (SOF): its sampling factors, quantisation table and decoded samples.</summary>
internal sealed class JpegComponent(int id, int horizontal, int vertical, int quantTable)
{
    public int Id { get; } = id;

    /// <summary>Horizontal sampling factor (1..4).</summary>
    public int Horizontal { get; } = horizontal;

    /// <summary>Vertical sampling factor (1..4).</summary>
    public int Vertical { get; } = vertical;

    /// <summary>Index (0..3) of the quantisation table named in the frame header.</summary>
    public int QuantTable { get; } = quantTable;

    /// <summary>The samples, allocated once the frame's geometry is known.</summary>
    public JpegPlane Plane { get; set; } = null!;

    /// <summary>Whether a scan has carried this component's data.</summary>
    public bool Scanned { get; set; }

    /// <summary>The DC predictor: the previous block's DC value, reset to 0 at each scan and restart.</summary>
    public int DcPredictor { get; set; }
}
