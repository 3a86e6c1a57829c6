using PaliCuda.Checkpoint;

namespace PaliCuda.Quantization;

/// <summary>
/// A quantized checkpoint file (written by <see cref="CheckpointQuantizer"/>) read back. Packed weights appear under
/// their logical names as float32 [out, in] — the CPU reference dequantizes them (scale × q, no re-quantization) —
/// and <see cref="GetPacked"/> hands a GPU backend the packed bytes to upload as they are. Every packed weight's
/// metadata, data and scales are checked when the store is opened.
/// </summary>
public sealed class QuantizedTensorStore : ReconstructedTensorStore, IPackedWeightSource
{
    private readonly Dictionary<string, (QuantizationMetadata.PackedEntry Entry, TensorInfo Logical)> _packed;
    private readonly List<string> _names;

    public QuantizationPlan Plan { get; }
    public string FilePath { get; }
    /// <summary>Logical names of the packed weights.</summary>
    public IReadOnlyCollection<string> PackedNames => _packed.Keys;
    public override IReadOnlyCollection<string> Names => _names;

    private QuantizedTensorStore(ITensorStore inner, string filePath, QuantizationPlan plan, IReadOnlyList<QuantizationMetadata.PackedEntry> entries) : base(inner, ownsInner: true)
    {
        FilePath = filePath;
        Plan = plan;
        _packed = new Dictionary<string, (QuantizationMetadata.PackedEntry, TensorInfo)>(StringComparer.Ordinal);
        foreach (var e in entries) _packed.Add(e.Name, (e, Check(inner, filePath, plan, e)));
        foreach (var name in inner.Names)
        {
            if (_packed.ContainsKey(name))
                throw new CheckpointFormatException("the tensor is stored both plain and packed", filePath, name);
            if ((name.EndsWith(QuantizationMetadata.DataSuffix, StringComparison.Ordinal) || name.EndsWith(QuantizationMetadata.ScalesSuffix, StringComparison.Ordinal))
                && !_packed.ContainsKey(name[..name.LastIndexOf('.')]))
                throw new CheckpointFormatException($"packed tensor is not listed in '{QuantizationMetadata.TensorsKey}'", filePath, name);
        }
        _names = inner.Names.Where(n => !IsPackedPart(n)).Concat(_packed.Keys).ToList();
    }

    /// <summary>The file itself when its metadata declares no quantization, else a <see cref="QuantizedTensorStore"/> over it.</summary>
    public static ITensorStore WrapIfQuantized(SafetensorsFile file)
    {
        try
        {
            if (QuantizationMetadata.Read(file.Metadata, file.FilePath) is not { } read)
            {
                var stray = file.Names.FirstOrDefault(n => n.EndsWith(QuantizationMetadata.DataSuffix, StringComparison.Ordinal));
                if (stray is not null)
                    throw new CheckpointFormatException($"packed tensor in a file without '{QuantizationMetadata.VersionKey}' metadata", file.FilePath, stray);
                return file;
            }
            return new QuantizedTensorStore(file, file.FilePath, read.Plan, read.Entries);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>True when <paramref name="name"/> is stored packed; then <see cref="GetPacked"/> returns it.</summary>
    public bool IsPacked(string name) => _packed.ContainsKey(name);

    /// <summary>The packed weight (its <c>.qweight</c> and <c>.scales</c> bytes copied out of the file) for a GPU upload.</summary>
    public QuantizedWeight GetPacked(string name)
    {
        if (!_packed.TryGetValue(name, out var p))
            throw new CheckpointFormatException("tensor is not stored packed", FilePath, name);
        return new QuantizedWeight(p.Entry.Format, (int)p.Entry.Rows, (int)p.Entry.Columns,
            Inner.GetBytes(name + QuantizationMetadata.DataSuffix).ToArray(), Inner.GetBytes(name + QuantizationMetadata.ScalesSuffix).ToArray());
    }

    public QuantizedWeight? TryGetPacked(string name) => IsPacked(name) ? GetPacked(name) : null;

    protected override TensorInfo? DescribeComputed(string name) => _packed.TryGetValue(name, out var p) ? p.Logical : null;

    protected override float[] Compute(string name, TensorInfo logical)
    {
        var entry = _packed[name].Entry;
        int rows = (int)entry.Rows, columns = (int)entry.Columns;
        var data = Inner.GetBytes(name + QuantizationMetadata.DataSuffix);
        var scales = Inner.GetBytes(name + QuantizationMetadata.ScalesSuffix);
        var result = new float[(long)rows * columns];
        for (int r = 0; r < rows; r++)
            QuantizedWeight.DequantizeRow(entry.Format, data, scales, columns, r, result.AsSpan(r * columns, columns));
        return result;
    }

    private bool IsPackedPart(string name)
    {
        int dot = name.LastIndexOf('.');
        return dot > 0 && _packed.ContainsKey(name[..dot]) && name[dot..] is QuantizationMetadata.DataSuffix or QuantizationMetadata.ScalesSuffix;
    }

    private static TensorInfo Check(ITensorStore inner, string filePath, QuantizationPlan plan, QuantizationMetadata.PackedEntry e)
    {
        var planned = plan.FormatFor(e.Name, 2);
        if (planned != e.Format)
            throw new CheckpointFormatException($"metadata stores the weight as {e.Format.ToName()}, but the plan \"{plan}\" gives it {planned.ToName()}", filePath, e.Name);
        var layout = QuantizedLayout.For(e.Format, e.Rows, e.Columns);
        CheckPart(inner, filePath, e, QuantizationMetadata.DataSuffix, layout.DataDType, layout.DataShape);
        var data = CheckPart(inner, filePath, e, QuantizationMetadata.ScalesSuffix, layout.ScalesDType, layout.ScalesShape);
        return new TensorInfo(e.Name, TensorDType.F32, [e.Rows, e.Columns], data.FilePath, 0, e.Rows * e.Columns * sizeof(float));
    }

    private static TensorInfo CheckPart(ITensorStore inner, string filePath, QuantizationMetadata.PackedEntry e, string suffix, TensorDType dtype, long[] shape)
    {
        if (!inner.TryDescribe(e.Name + suffix, out var info))
            throw new CheckpointFormatException($"packed {e.Format.ToName()} weight has no '{e.Name + suffix}' tensor", filePath, e.Name);
        if (info.DType != dtype || !info.Shape.SequenceEqual(shape))
            throw new CheckpointFormatException(
                $"'{suffix[1..]}' is {info.DType.ToSafetensorsName()} [{string.Join(", ", info.Shape)}]; {e.Format.ToName()} [{e.Rows}, {e.Columns}] needs {dtype.ToSafetensorsName()} [{string.Join(", ", shape)}]",
                filePath, e.Name);
        return info;
    }
}
