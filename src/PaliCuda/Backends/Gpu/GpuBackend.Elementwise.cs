using System.Runtime.InteropServices;
using PaliCuda.Backends.Gpu.Fusion;
using PaliCuda.Backends.Gpu.Quantized;
using PaliCuda.Checkpoint;
using PaliCuda.Devices;
using PaliCuda.Graph;
using PaliCuda.Numerics;
using PaliCuda.Quantization;

namespace PaliCuda.Backends.Gpu;

/// <summary>Norms, activations, RoPE, embeddings and the other row-wise ops: one kernel launch each, shapes checked first.</summary>
public sealed partial class GpuBackend
{
    public void LayerNorm(DeviceTensor x, DeviceTensor gamma, DeviceTensor beta, float eps, DeviceTensor y)
    {
        const string op = "LayerNorm";
        SameShapeBf16(op, x, y);
        Need(op, gamma, BufferDType.BF16);
        Need(op, beta, BufferDType.BF16);
        Check(gamma.ElementCount == x.Cols && beta.ElementCount == x.Cols, op, $"gamma {gamma.ShapeText} / beta {beta.ShapeText} do not match {x.Cols} features");
        _kernels.Launch("palicuda_layernorm_bf16", x.Rows, RowThreads(x.Cols), Args().Add(Buf(y)).Add(Buf(x)).Add(Buf(gamma)).Add(Buf(beta)).Add(x.Cols).Add(eps));
    }

    public void RmsNorm(DeviceTensor x, DeviceTensor weight, float eps, DeviceTensor y)
    {
        const string op = "RmsNorm";
        SameShapeBf16(op, x, y);
        Need(op, weight, BufferDType.BF16);
        Check(weight.ElementCount == x.Cols, op, $"weight '{weight.Name}' {weight.ShapeText} does not match {x.Cols} features");
        _kernels.Launch("palicuda_rmsnorm_bf16", x.Rows, RowThreads(x.Cols), Args().Add(Buf(y)).Add(Buf(x)).Add(Buf(weight)).Add(x.Cols).Add(eps));
    }

    /// <summary>
    /// Gemma 2's sandwich step in one pass: <paramref name="h"/> = residual + rmsnorm(branch, postWeight), then
    /// <paramref name="y"/> = rmsnorm(h, preWeight). Equal to RmsNorm, Add, RmsNorm run one after another.
    /// </summary>
    public void AddRmsNorm(DeviceTensor residual, DeviceTensor branch, DeviceTensor postWeight, DeviceTensor preWeight, float eps, DeviceTensor h, DeviceTensor y)
    {
        const string op = "AddRmsNorm";
        SameShapeBf16(op, residual, branch);
        SameShapeBf16(op, residual, h);
        SameShapeBf16(op, residual, y);
        Need(op, postWeight, BufferDType.BF16);
        Need(op, preWeight, BufferDType.BF16);
        Check(postWeight.ElementCount == residual.Cols && preWeight.ElementCount == residual.Cols, op, "norm weights do not match the feature count");
        _kernels.Launch("palicuda_add_rmsnorm_bf16", residual.Rows, RowThreads(residual.Cols),
            Args().Add(Buf(h)).Add(Buf(y)).Add(Buf(residual)).Add(Buf(branch)).Add(Buf(postWeight)).Add(Buf(preWeight)).Add(residual.Cols).Add(eps));
    }

    public void GeluTanh(DeviceTensor x, DeviceTensor y)
    {
        SameShapeBf16("GeluTanh", x, y);
        _kernels.Launch("palicuda_gelu_tanh_bf16", Grid1D((x.ElementCount + 7) / 8), RowBlock, Args().Add(Buf(y)).Add(Buf(x)).Add(x.ElementCount));
    }

    /// <summary>y = gelu_tanh(x + bias), the bias broadcast over rows.</summary>
    public void BiasGeluTanh(DeviceTensor x, DeviceTensor bias, DeviceTensor y)
    {
        SameShapeBf16("BiasGeluTanh", x, y);
        Need("BiasGeluTanh", bias, BufferDType.BF16);
        Check(bias.ElementCount == x.Cols, "BiasGeluTanh", $"bias {bias.ShapeText} does not match {x.Cols} features");
        _kernels.Launch("palicuda_bias_gelu_tanh_bf16", Grid1D(x.ElementCount), RowBlock, Args().Add(Buf(y)).Add(Buf(x)).Add(Buf(bias)).Add(x.Rows).Add(x.Cols));
    }

    public void GeGlu(DeviceTensor gate, DeviceTensor up, DeviceTensor y)
    {
        SameShapeBf16("GeGlu", gate, up);
        SameShapeBf16("GeGlu", gate, y);
        LaunchGeGlu(Buf(gate), Buf(up), gate.Cols, gate.Cols, y);
    }

    /// <summary>GeGLU from one fused gate|up GEMM output [rows, 2·cols]: y = gelu(gu[:, :cols]) ⊙ gu[:, cols:].</summary>
    public void GeGluFused(DeviceTensor gateUp, DeviceTensor y)
    {
        const string op = "GeGluFused";
        Need(op, gateUp, BufferDType.BF16);
        Need(op, y, BufferDType.BF16);
        Check(gateUp.Rows == y.Rows && gateUp.Cols == 2 * y.Cols, op, $"'{gateUp.Name}' {gateUp.ShapeText} is not [rows, 2·{y.Cols}]");
        var gu = Buf(gateUp);
        LaunchGeGlu(gu, gu.Slice((long)y.Cols * 2), 2 * y.Cols, 2 * y.Cols, y);
    }

    private void LaunchGeGlu(DeviceBuffer gate, DeviceBuffer up, int gateStride, int upStride, DeviceTensor y)
    {
        const int threads = 128;
        var groups = (y.Cols + 7) / 8;
        _kernels.Launch("palicuda_geglu_bf16", new Dim3((uint)((groups + threads - 1) / threads), (uint)y.Rows), threads,
            Args().Add(Buf(y)).Add(gate).Add(up).Add(y.Cols).Add(gateStride).Add(upStride));
    }

    public void Add(DeviceTensor a, DeviceTensor b, DeviceTensor y)
    {
        SameShapeBf16("Add", a, b);
        SameShapeBf16("Add", a, y);
        _kernels.Launch("palicuda_add_bf16", Grid1D((a.ElementCount + 7) / 8), RowBlock, Args().Add(Buf(y)).Add(Buf(a)).Add(Buf(b)).Add(a.ElementCount));
    }

    public void Scale(DeviceTensor x, float factor, bool divide, DeviceTensor y)
    {
        FloatPair("Scale", x, y);
        _kernels.Launch("palicuda_scale", Grid1D(x.ElementCount), RowBlock,
            Args().Add(Buf(y)).Add(Code(y)).Add(Buf(x)).Add(Code(x)).Add(factor).Add(divide ? 1 : 0).Add(x.ElementCount));
    }

    public void SoftCap(DeviceTensor x, float cap, DeviceTensor y)
    {
        FloatPair("SoftCap", x, y);
        Check(cap > 0 && float.IsFinite(cap), "SoftCap", $"cap {cap} must be positive and finite");
        _kernels.Launch("palicuda_softcap", Grid1D(x.ElementCount), RowBlock,
            Args().Add(Buf(y)).Add(Code(y)).Add(Buf(x)).Add(Code(x)).Add(cap).Add(x.ElementCount));
    }

    public void Rope(DeviceTensor x, DeviceTensor cachePositions, int positionOffset, int numHeads, int headDim, float theta, DeviceTensor y)
    {
        const string op = "Rope";
        SameShapeBf16(op, x, y);
        Need(op, cachePositions, BufferDType.I32);
        Check(headDim % 2 == 0 && x.Cols == numHeads * headDim, op, $"'{x.Name}' {x.ShapeText} is not [tokens, {numHeads}·{headDim}] with an even head size");
        Check(cachePositions.ElementCount == x.Rows, op, $"positions '{cachePositions.Name}' {cachePositions.ShapeText} do not match {x.Rows} tokens");
        _kernels.Launch("palicuda_rope_bf16", x.Rows, Math.Min(1024, RoundUp32(numHeads * headDim / 2)),
            Args().Add(Buf(y)).Add(Buf(x)).Add(Buf(cachePositions)).Add(positionOffset).Add(numHeads).Add(headDim).Add(theta));
    }

    public void EmbeddingGather(DeviceTensor table, DeviceTensor ids, DeviceTensor y)
    {
        const string op = "EmbeddingGather";
        Need(op, y, BufferDType.BF16);
        Need(op, ids, BufferDType.I32);
        Check(y.Rows == ids.ElementCount && y.Cols == table.Cols, op, $"'{y.Name}' {y.ShapeText} is not [{ids.ElementCount}, {table.Cols}]");
        if (table.Packed is { } packed)
        {
            // The same packed table the LM head multiplies with: each row dequantized (s·q in fp32), rounded to bf16 once.
            var view = PackedView(table, packed);
            var entry = packed.Format switch
            {
                WeightFormat.Int8 => "palicuda_embedding_gather_int8",
                WeightFormat.Int4 => "palicuda_embedding_gather_int4",
                WeightFormat.Fp8 => "palicuda_embedding_gather_fp8",
                _ => throw Fail(op, $"table '{table.Name}' has no gather kernel for {packed.Format.ToName()}"),
            };
            _kernels.Launch(entry, y.Rows, Math.Min(1024, RoundUp32(table.Cols)),
                Args().Add(Buf(y)).Add(view.Data).Add(view.Scales).Add(Buf(ids)).Add(table.Cols).Add(table.Rows).Add(1f));
            return;
        }
        Need(op, table, BufferDType.BF16);
        _kernels.Launch("palicuda_embedding_gather_bf16", y.Rows, Math.Min(1024, RoundUp32(table.Cols)),
            Args().Add(Buf(y)).Add(Buf(table)).Add(Buf(ids)).Add(table.Cols).Add(table.Rows).Add(1f));
    }

    public void ScatterImageFeatures(DeviceTensor embeds, DeviceTensor ids, DeviceTensor features, int imageTokenIndex, DeviceTensor y)
    {
        const string op = "ScatterImageFeatures";
        SameShapeBf16(op, embeds, y);
        Need(op, features, BufferDType.BF16);
        Need(op, ids, BufferDType.I32);
        Check(features.Cols == embeds.Cols && ids.ElementCount == embeds.Rows, op, $"features {features.ShapeText}, ids {ids.ShapeText} do not match embeddings {embeds.ShapeText}");
        _kernels.Launch("palicuda_scatter_image_features_bf16", y.Rows, Math.Min(1024, RoundUp32(y.Cols)),
            Args().Add(Buf(y)).Add(Buf(embeds)).Add(Buf(ids)).Add(Buf(features)).Add(features.Rows).Add(y.Cols).Add(imageTokenIndex).Add(1f).Add(0));
    }

    public void Patchify(DeviceTensor pixels, int patchSize, DeviceTensor y)
    {
        const string op = "Patchify";
        Check(pixels.DType is BufferDType.F32 or BufferDType.BF16 && pixels.Shape.Length == 3, op, $"pixels '{pixels.Name}' must be a float [C, H, W] tensor");
        Need(op, y, BufferDType.BF16);
        int c = pixels.Shape[0], h = pixels.Shape[1], w = pixels.Shape[2];
        Check(patchSize > 0 && h % patchSize == 0 && w % patchSize == 0, op, $"image {h}x{w} is not a whole number of {patchSize}-pixel patches");
        Check(y.Rows == h / patchSize * (w / patchSize) && y.Cols == c * patchSize * patchSize, op, $"'{y.Name}' {y.ShapeText} does not hold the patches");
        _kernels.Launch("palicuda_patchify_bf16", y.Rows, Math.Min(1024, RoundUp32(y.Cols)),
            Args().Add(Buf(y)).Add(Buf(pixels)).Add(Code(pixels)).Add(c).Add(h).Add(w).Add(patchSize));
    }

    public void SliceRows(DeviceTensor x, int start, DeviceTensor y)
    {
        Check(x.DType == y.DType && x.Cols == y.Cols && start >= 0 && start + y.Rows <= x.Rows, "SliceRows",
            $"rows {start}..{start + y.Rows} of '{x.Name}' {x.DType}{x.ShapeText} do not fit '{y.Name}' {y.DType}{y.ShapeText}");
        var rowBytes = (long)x.Cols * x.DType.ElementBytes();
        _device.CopyDeviceToDevice(Buf(x).Slice(start * rowBytes, y.ByteLength), Buf(y));
    }

    public void GatherLastRow(DeviceTensor x, DeviceTensor length, DeviceTensor y)
    {
        const string op = "GatherLastRow";
        Need(op, length, BufferDType.I32);
        Check(length.ElementCount == 1 && x.DType == y.DType && y.Rows == 1 && y.Cols == x.Cols, op,
            $"'{y.Name}' {y.DType}{y.ShapeText} is not one row of '{x.Name}' {x.DType}{x.ShapeText} (length {length.ShapeText})");
        _kernels.Launch("palicuda_gather_last_row", Grid1D(x.Cols), RowBlock,
            Args().Add(Buf(y)).Add(Buf(x)).Add(Buf(length)).Add(x.Rows).Add(x.Cols).Add(Code(x)));
    }

    public void ArgMax(DeviceTensor x, int limit, DeviceTensor y)
    {
        const string op = "ArgMax";
        Check(x.DType is BufferDType.F32 or BufferDType.BF16, op, $"'{x.Name}' must be a float tensor");
        Need(op, y, BufferDType.I32);
        Check(limit > 0 && limit <= x.Cols && y.ElementCount == x.Rows, op, $"limit {limit} / output {y.ShapeText} do not fit '{x.Name}' {x.ShapeText}");
        _kernels.Launch("palicuda_argmax_rows", x.Rows, RowBlock, Args().Add(Buf(y)).Add(Buf(x)).Add(Code(x)).Add(x.Cols).Add(limit));
    }

    /// <summary>
    /// Final soft cap fused with greedy argmax: <paramref name="capped"/> (F32, may be null) receives cap·tanh(x/cap) and
    /// <paramref name="ids"/> the first index of each row's maximum below <paramref name="limit"/>.
    /// </summary>
    public void SoftCapArgMax(DeviceTensor x, float cap, int limit, DeviceTensor? capped, DeviceTensor ids)
    {
        const string op = "SoftCapArgMax";
        Check(x.DType is BufferDType.F32 or BufferDType.BF16, op, $"'{x.Name}' must be a float tensor");
        Need(op, ids, BufferDType.I32);
        Check(cap > 0 && float.IsFinite(cap), op, $"cap {cap} must be positive and finite");
        Check(limit > 0 && limit <= x.Cols && ids.ElementCount == x.Rows, op, $"limit {limit} / ids {ids.ShapeText} do not fit '{x.Name}' {x.ShapeText}");
        if (capped is { } c) Check(c.DType == BufferDType.F32 && c.ElementCount == x.ElementCount, op, $"capped '{c.Name}' must be F32 like {x.ShapeText}");
        _kernels.Launch("palicuda_softcap_argmax", x.Rows, RowBlock, Args().Add(Buf(ids)).AddPointer(Ptr(capped)).Add(Buf(x)).Add(Code(x)).Add(x.Cols).Add(limit).Add(cap));
    }
}
