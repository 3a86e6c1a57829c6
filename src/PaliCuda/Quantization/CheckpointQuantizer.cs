using System.Runtime.InteropServices;
using PaliCuda.Checkpoint;
using PaliCuda.Numerics;

namespace PaliCuda.Quantization;

/// <summary>
/// Turns a checkpoint folder into a quantized one: <c>model.safetensors</c> with every linear weight of a quantized
/// part stored as <c>&lt;name&gt;.qweight</c> + <c>&lt;name&gt;.scales</c>, the other tensors as bf16 (or f32 for a
/// part planned f32), the plan recorded in the metadata (<see cref="QuantizationMetadata"/>), plus copies of the
/// config, generation config and tokenizer files. The stored LM head (always tied here) and tensors the model does
/// not use are not written.
/// </summary>
public static class CheckpointQuantizer
{
    /// <summary>Small files a checkpoint folder may carry that the quantized folder needs too (copied when present).</summary>
    public static readonly IReadOnlyList<string> CompanionFiles =
    [
        PaliGemmaCheckpoint.ConfigFileName, PaliGemmaCheckpoint.GenerationConfigFileName, "tokenizer.model", "tokenizer.json",
        "tokenizer_config.json", "special_tokens_map.json", "preprocessor_config.json",
    ];

    /// <summary>
    /// Writes the quantized checkpoint. The weights file is written atomically, then the companion files are copied, so
    /// an interrupted run never leaves a partial <c>model.safetensors</c> (and leaves no config beside a missing one).
    /// <paramref name="onTensor"/> is called with each stored tensor's name just before its bytes are written.
    /// </summary>
    public static QuantizeSummary Quantize(string modelDirectory, string outputDirectory, QuantizationPlan plan, Action<string>? onTensor = null)
    {
        var source = Path.GetFullPath(modelDirectory);
        var target = Path.GetFullPath(outputDirectory);
        if (string.Equals(source.TrimEnd(Path.DirectorySeparatorChar), target.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
            throw new ArgumentException($"the output folder must differ from the model folder ({target})", nameof(outputDirectory));
        if (plan == QuantizationPlan.ForWeights(WeightFormat.F32))
            throw new ArgumentException($"the plan \"{plan}\" changes nothing; choose int8, int4, fp8 or bf16", nameof(plan));

        using var checkpoint = PaliGemmaCheckpoint.Open(source);
        if (checkpoint.Quantization is { } existing)
            throw new CheckpointFormatException($"the checkpoint is already quantized (\"{existing.Plan}\"); quantize the original weights instead", checkpoint.WeightsPath);
        checkpoint.ValidateAll();

        var packed = new List<(string, WeightFormat, long, long)>();
        var planned = new List<(ExpectedTensor Tensor, WeightFormat Format)>();
        foreach (var expected in checkpoint.RequiredTensors)
        {
            var format = plan.FormatFor(expected.Name, expected.Shape.Length);
            planned.Add((expected, format));
            if (format.IsQuantized()) packed.Add((expected.Name, format, expected.Shape[0], expected.Shape[1]));
        }

        var writer = new SafetensorsWriter(QuantizationMetadata.Create(plan, packed));
        var weights = checkpoint.Weights;
        foreach (var (tensor, format) in planned)
        {
            var name = tensor.Name;
            var shape = tensor.Shape;
            if (format.IsQuantized())
            {
                var layout = QuantizedLayout.For(format, shape[0], shape[1]);
                // Each part re-quantizes from the mapped source instead of caching: the writer orders tensors by element
                // size, so caching until both parts are written would hold most of the quantized model in memory.
                QuantizedWeight Pack() => QuantizedWeight.Quantize(format, weights.ReadFloat32(name), (int)shape[0], (int)shape[1]);
                writer.Add(name + QuantizationMetadata.ScalesSuffix, layout.ScalesDType, layout.ScalesShape,
                    s => { onTensor?.Invoke(name + QuantizationMetadata.ScalesSuffix); s.Write(Pack().Scales); });
                writer.Add(name + QuantizationMetadata.DataSuffix, layout.DataDType, layout.DataShape,
                    s => { onTensor?.Invoke(name + QuantizationMetadata.DataSuffix); s.Write(Pack().Data); });
            }
            else
            {
                var dtype = format == WeightFormat.BF16 ? TensorDType.BF16 : TensorDType.F32;
                writer.Add(name, dtype, shape, s =>
                {
                    onTensor?.Invoke(name);
                    var values = weights.ReadFloat32(name);
                    if (dtype == TensorDType.F32) { s.Write(MemoryMarshal.AsBytes(values.AsSpan())); return; }
                    var bf16 = new BFloat16[values.Length];
                    BFloat16.FromSingle(values, bf16);
                    s.Write(MemoryMarshal.AsBytes(bf16.AsSpan()));
                });
            }
        }

        Directory.CreateDirectory(target);
        var weightsPath = Path.Combine(target, PaliGemmaCheckpoint.SingleFileName);
        writer.Save(weightsPath);
        var copied = new List<string>();
        foreach (var file in CompanionFiles)
        {
            var from = Path.Combine(source, file);
            if (!File.Exists(from)) continue;
            CopyAtomically(from, Path.Combine(target, file));
            copied.Add(file);
        }
        return new QuantizeSummary(weightsPath, plan, packed.Count, writer.Count, checkpoint.RequiredBytes, new FileInfo(weightsPath).Length, copied);
    }

    private static void CopyAtomically(string from, string to)
    {
        var temp = Path.Combine(Path.GetDirectoryName(to)!, $".{Path.GetFileName(to)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.Copy(from, temp);
            File.Move(temp, to, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }
}
