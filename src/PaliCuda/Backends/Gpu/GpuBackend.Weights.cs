using System.Runtime.InteropServices;
using PaliCuda.Backends.Gpu.Quantized;
using PaliCuda.Checkpoint;
using PaliCuda.Graph;
using PaliCuda.Numerics;
using PaliCuda.Quantization;

namespace PaliCuda.Backends.Gpu;

/// <summary>Weight placement: the bf16 arena, packed quantized weights and their scales, streamed from the checkpoint.</summary>
public sealed partial class GpuBackend
{
    /// <summary>The quantization plan this backend stores weights under (<see cref="AcceptQuantizationPlan"/>), or null.</summary>
    public QuantizationPlan? WeightPlan => _plan;

    /// <summary>
    /// Stores the packed weights of <paramref name="plan"/> packed from now on: uploads of a packed-format weight take
    /// the checkpoint's bytes (<see cref="IPackedWeightSource"/>) or quantize the given floats with
    /// <see cref="QuantizedWeight.Quantize"/>. Call before the weights are reserved and uploaded.
    /// </summary>
    public bool AcceptQuantizationPlan(QuantizationPlan plan)
    {
        _plan = plan.QuantizesAnything ? plan : null;
        return true;
    }

    /// <summary>Bytes of the weight arenas (allocated once by <see cref="ReserveWeights(long, int)"/> or <see cref="ReserveWeights(IReadOnlyList{BufferDesc})"/>); 0 before.</summary>
    public long WeightArenaBytes => (_weightArena?.ByteLength ?? 0) + (_scalesArena?.ByteLength ?? 0);

    /// <summary>Bytes of the weight arenas holding weights and scales (the rest is alignment slack).</summary>
    public long WeightArenaUsedBytes => _weightCursor + _scalesCursor;

    /// <summary>Device bytes held by the packed-weight MatMul's workspaces (split-K partials, dequantize scratch).</summary>
    public long QuantizedWorkspaceBytes => _quantized.WorkspaceBytes;

    /// <summary>
    /// Sizes the arena for the form each weight is stored in: bf16, or packed data (and scales in a second arena) for
    /// the 2-D weights the accepted plan gives a packed format.
    /// </summary>
    public void ReserveWeights(IReadOnlyList<BufferDesc> weights)
    {
        if (_plan is not { } plan)
        {
            ReserveWeights(weights.Sum(d => d.ElementCount), weights.Count);
            return;
        }
        long data = 0, scales = 0;
        foreach (var d in weights)
        {
            if (PackedFormat(plan, d.Name, d.Shape.Length) is { } format)
            {
                var layout = QuantizedLayout.For(format, d.Shape[0], d.Shape[1]);
                data += layout.DataBytes + PackedAlignment - 1;
                scales += layout.ScalesBytes + PackedAlignment - 1;
            }
            else data += d.ElementCount * 2 + WeightAlignment - 1;
        }
        AllocateArena(data);
        if (scales > 0)
        {
            var buffer = _device.Allocate(scales);
            _owned.Add(buffer);
            _scalesArena = new GpuMemory(buffer, "weight scales", owner: null);
            _scalesCursor = 0;
        }
    }

    public void ReserveWeights(long totalElements) => ReserveWeights(totalElements, 1024);

    /// <summary>One bf16 arena for <paramref name="totalElements"/> weights; each starts 256-byte aligned, so the padding is at most 255 bytes per weight.</summary>
    public void ReserveWeights(long totalElements, int weightCount)
    {
        if (totalElements <= 0) return;
        AllocateArena(totalElements * 2 + (long)Math.Max(1, weightCount) * (WeightAlignment - 1));
    }

    private void AllocateArena(long bytes)
    {
        if (bytes <= 0) return;
        var buffer = _device.Allocate(bytes);
        _owned.Add(buffer);
        _weightArena = new GpuMemory(buffer, "weights", owner: null);
        _weightCursor = 0;
    }

    public DeviceTensor UploadWeight(string name, float[] data, int[] shape)
    {
        if (data.LongLength != shape.Aggregate(1L, (a, b) => a * b))
            throw new ArgumentException($"weight '{name}' has {data.Length} values, shape [{string.Join(", ", shape)}] needs a different count", nameof(data));
        var (memory, offset) = WeightSlot(name, data.LongLength * 2);
        var bits = new ushort[Math.Min(data.Length, UploadChunkElements)];
        for (long done = 0; done < data.LongLength; done += bits.Length)
        {
            var n = (int)Math.Min(bits.Length, data.LongLength - done);
            for (var i = 0; i < n; i++) bits[i] = BFloat16.RoundToBits(data[done + i]);
            _device.CopyHostToDevice(MemoryMarshal.AsBytes(bits.AsSpan(0, n)), memory.Buffer.Slice(offset + done * 2, n * 2L));
        }
        return new DeviceTensor(memory, offset, shape, BufferDType.BF16, name);
    }

    /// <summary>
    /// Streams a checkpoint tensor into the arena as bf16: BF16 bytes are copied as they are, F32 and F16 are converted
    /// chunk by chunk (<see cref="UploadChunkElements"/> at a time), so no float[] of the whole tensor is ever made.
    /// </summary>
    public DeviceTensor UploadWeight(string name, ITensorStore store, int[] shape)
    {
        var info = store.Describe(name);
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (info.ElementCount != count)
            throw new CheckpointFormatException($"weight has {info.ElementCount} elements, shape [{string.Join(", ", shape)}] needs {count}", info.FilePath, name);
        if (_plan is { } plan && shape.Length == 2 && PackedFormat(plan, name, info.Shape.Length) is { } format)
            return UploadPacked(name, PackedWeight(name, store, format, shape, info), shape);
        var (memory, offset) = WeightSlot(name, count * 2);
        if (info.DType == TensorDType.BF16)
        {
            for (long done = 0; done < count; done += UploadChunkElements)
            {
                var n = (int)Math.Min(UploadChunkElements, count - done);
                _device.CopyHostToDevice(store.GetBytes(name, done * 2, n * 2), memory.Buffer.Slice(offset + done * 2, n * 2L));
            }
        }
        else
        {
            TensorFloatConversion.EnsureConvertible(info);
            var floats = new float[Math.Min(count, UploadChunkElements)];
            var bits = new ushort[floats.Length];
            for (long done = 0; done < count; done += floats.Length)
            {
                var n = (int)Math.Min(floats.Length, count - done);
                store.ReadFloat32(name, done, floats.AsSpan(0, n));
                for (var i = 0; i < n; i++) bits[i] = BFloat16.RoundToBits(floats[i]);
                _device.CopyHostToDevice(MemoryMarshal.AsBytes(bits.AsSpan(0, n)), memory.Buffer.Slice(offset + done * 2, n * 2L));
            }
        }
        return new DeviceTensor(memory, offset, shape, BufferDType.BF16, name);
    }

    /// <summary>The packed format <paramref name="plan"/> gives weight <paramref name="name"/>, or null when it is stored as bf16.</summary>
    private static WeightFormat? PackedFormat(QuantizationPlan plan, string name, int rank) =>
        rank == 2 && plan.FormatFor(name, rank) is var f && f.IsQuantized() ? f : null;

    /// <summary>The checkpoint's packed bytes when it stores the weight packed in this format, else the floats quantized now.</summary>
    private static QuantizedWeight PackedWeight(string name, ITensorStore store, WeightFormat format, int[] shape, TensorInfo info)
    {
        if ((store as IPackedWeightSource)?.TryGetPacked(name) is { } stored)
        {
            if (stored.Format != format || stored.Rows != shape[0] || stored.Columns != shape[1])
                throw new CheckpointFormatException($"stored packed as {stored.Format.ToName()} [{stored.Rows}, {stored.Columns}]; the plan needs {format.ToName()} [{shape[0]}, {shape[1]}]", info.FilePath, name);
            return stored;
        }
        return QuantizedWeight.Quantize(format, store.ReadFloat32(name), shape[0], shape[1]);
    }

    /// <summary>Copies the packed bytes unchanged: data into the weight arena, scales into the scales arena.</summary>
    private DeviceTensor UploadPacked(string name, QuantizedWeight weight, int[] shape)
    {
        var (memory, offset) = WeightSlot(name, weight.Data.LongLength, PackedAlignment);
        for (long done = 0; done < weight.Data.LongLength; done += UploadChunkElements * 2L)
        {
            var n = (int)Math.Min(UploadChunkElements * 2L, weight.Data.LongLength - done);
            _device.CopyHostToDevice(weight.Data.AsSpan((int)done, n), memory.Buffer.Slice(offset + done, n));
        }
        GpuMemory scalesMemory;
        long scalesOffset;
        var aligned = (_scalesCursor + PackedAlignment - 1) / PackedAlignment * PackedAlignment;
        if (_scalesArena is { } arena && aligned + weight.Scales.LongLength <= arena.ByteLength)
        {
            (scalesMemory, scalesOffset) = (arena, aligned);
            _scalesCursor = aligned + weight.Scales.LongLength;
        }
        else (scalesMemory, scalesOffset) = ((GpuMemory)Allocate(weight.Scales.LongLength, name + " scales"), 0);
        _device.CopyHostToDevice(weight.Scales, scalesMemory.Buffer.Slice(scalesOffset, weight.Scales.LongLength));
        return new DeviceTensor(memory, offset, shape, BufferDType.BF16, name)
        {
            Packed = new PackedWeightStorage(weight.Format, weight.Data.LongLength, scalesMemory, scalesOffset, weight.Scales.LongLength),
        };
    }

    /// <summary>The next aligned slot of the arena, or (without an arena, or when it is full) an allocation of its own.</summary>
    private (GpuMemory Memory, long Offset) WeightSlot(string name, long bytes, int alignment = WeightAlignment)
    {
        var aligned = (_weightCursor + alignment - 1) / alignment * alignment;
        if (_weightArena is { } arena && aligned + bytes <= arena.ByteLength)
        {
            _weightCursor = aligned + bytes;
            return (arena, aligned);
        }
        return ((GpuMemory)Allocate(bytes, name), 0);
    }
}
