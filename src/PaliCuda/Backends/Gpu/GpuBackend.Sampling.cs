using PaliCuda.Graph;

namespace PaliCuda.Backends.Gpu;

/// <summary>
/// Token sampling on the device (kernels/sampling.cu): temperature, top-k, top-p and the draw, one block per row. The
/// parameters are data (<see cref="SampleControls"/>, read by the kernel), not launch arguments, so a captured graph
/// samples with whatever the host wrote before the replay.
/// </summary>
public sealed partial class GpuBackend
{
    /// <summary>The sampling kernel's block: the per-thread id chunks and the block-wide scans assume exactly this.</summary>
    private const int SampleBlock = 1024;

    public void Sample(DeviceTensor x, int limit, DeviceTensor controls, DeviceTensor y) => Sample(x, limit, controls, y, kept: null);

    /// <summary>
    /// <see cref="IBackend.Sample"/>, and optionally (<paramref name="kept"/>, I32 [rows]) how many ids survived top-k and
    /// top-p in each row: the kept set is the first that many ids of the (logit desc, id asc) order, so tests can hold the
    /// device's set equal to the reference's.
    /// </summary>
    public void Sample(DeviceTensor x, int limit, DeviceTensor controls, DeviceTensor y, DeviceTensor? kept)
    {
        const string op = "Sample";
        Need(op, x, BufferDType.F32);
        CheckSample(op, x, limit, controls, y, kept);
        _kernels.Launch("palicuda_sample_rows", x.Rows, SampleBlock,
            Args().Add(Buf(y)).AddPointer(Ptr(kept)).Add(Buf(x)).Add(x.Cols).Add(limit).Add(Buf(controls)));
    }

    /// <summary>
    /// Final soft cap fused with sampling: <paramref name="capped"/> (F32, like x) receives cap·tanh(x/cap) for every
    /// column, and <paramref name="ids"/> the token drawn from each capped row below <paramref name="limit"/>, exactly as
    /// <see cref="Sample(DeviceTensor, int, DeviceTensor, DeviceTensor, DeviceTensor?)"/> would draw it from
    /// <paramref name="capped"/> (the kernel re-reads the row it wrote).
    /// </summary>
    public void SoftCapSample(DeviceTensor x, float cap, int limit, DeviceTensor capped, DeviceTensor controls, DeviceTensor ids,
        DeviceTensor? kept = null)
    {
        const string op = "SoftCapSample";
        Check(x.DType is BufferDType.F32 or BufferDType.BF16, op, $"'{x.Name}' must be a float tensor");
        Check(cap > 0 && float.IsFinite(cap), op, $"cap {cap} must be positive and finite");
        Check(capped.DType == BufferDType.F32 && capped.Rows == x.Rows && capped.Cols == x.Cols, op,
            $"capped '{capped.Name}' {capped.DType}{capped.ShapeText} must be F32 like {x.ShapeText}");
        CheckSample(op, x, limit, controls, ids, kept);
        _kernels.Launch("palicuda_softcap_sample", x.Rows, SampleBlock,
            Args().Add(Buf(ids)).AddPointer(Ptr(kept)).Add(Buf(capped)).Add(Buf(x)).Add(Code(x)).Add(x.Cols).Add(limit).Add(cap)
                .Add(Buf(controls)));
    }

    // The controls' values are not checked here: they live in device memory and change between replays. The host checks
    // them before writing (SampleControls.Write), and the kernel maps any value it could still meet to a defined draw.
    private static void CheckSample(string op, DeviceTensor x, int limit, DeviceTensor controls, DeviceTensor y, DeviceTensor? kept)
    {
        Check(limit > 0 && limit <= x.Cols && limit <= TokenSampler.MaxVocabulary, op,
            $"limit {limit} outside 1..{Math.Min(x.Cols, TokenSampler.MaxVocabulary)} for '{x.Name}' {x.ShapeText}");
        Need(op, controls, BufferDType.F32);
        Need(op, y, BufferDType.I32);
        Check(controls.ElementCount == (long)x.Rows * SampleControls.Width, op,
            $"controls '{controls.Name}' {controls.ShapeText} need {SampleControls.Width} values (u, T, k, p) per row of '{x.Name}' {x.ShapeText}");
        Check(y.ElementCount == x.Rows, op, $"output '{y.Name}' {y.ShapeText} needs one value per row of '{x.Name}' {x.ShapeText}");
        if (kept is { } k)
        {
            Need(op, k, BufferDType.I32);
            Check(k.ElementCount == x.Rows, op, $"kept '{k.Name}' {k.ShapeText} needs one value per row of {x.ShapeText}");
        }
    }
}
