using PaliCuda.Checkpoint;

namespace PaliCuda.Quantization;

/// <summary>Chooses the weights a float32 (CPU) backend loads for a requested plan and a checkpoint's stored one.</summary>
public static class QuantizedReference
{
    /// <summary>
    /// <paramref name="stored"/> is the plan a quantized checkpoint was written with (null for an ordinary one),
    /// <paramref name="requested"/> the caller's (null: as stored). A quantized checkpoint is used as it is — its
    /// weights are already the packed values, dequantized — and asking for a different plan is an error rather than a
    /// silent second quantization. The returned store does not need disposing; <paramref name="store"/> stays owned
    /// by the caller.
    /// </summary>
    public static ITensorStore Resolve(ITensorStore store, QuantizationPlan? stored, QuantizationPlan? requested)
    {
        stored ??= (store as QuantizedTensorStore)?.Plan;
        if (stored is not null)
        {
            if (requested is not null && requested != stored)
                throw new ArgumentException($"the checkpoint is already quantized as \"{stored}\"; it cannot be loaded as \"{requested}\" (quantize the original weights instead)", nameof(requested));
            return store;
        }
        if (requested is null || requested == QuantizationPlan.ForWeights(WeightFormat.F32)) return store;
        return new QuantizedReferenceStore(store, requested, ownsInner: false);
    }
}
