using System.Runtime.InteropServices;
using PaliCuda.Numerics;

namespace PaliCuda.Checkpoint;

/// <summary>Float32 conversion shared by every <see cref="ITensorStore"/>.</summary>
internal static class TensorFloatConversion
{
    public static void EnsureConvertible(TensorInfo info)
    {
        if (!info.DType.IsConvertibleToFloat32())
            throw new CheckpointFormatException(
                $"cannot convert dtype {info.DType.ToSafetensorsName()} to float32 (only F32, BF16 and F16 are supported)",
                info.FilePath, info.Name);
    }

    /// <summary>Converts whole elements of <paramref name="info"/>'s dtype in <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void Convert(TensorInfo info, ReadOnlySpan<byte> source, Span<float> destination)
    {
        EnsureConvertible(info);
        switch (info.DType)
        {
            case TensorDType.F32:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case TensorDType.BF16:
                BFloat16.ToSingle(MemoryMarshal.Cast<byte, BFloat16>(source), destination);
                break;
            case TensorDType.F16:
                HalfConversions.ToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                break;
        }
    }

    /// <summary>The shared body of <see cref="ITensorStore.ReadFloat32(string)"/>.</summary>
    public static float[] ReadAll(ITensorStore store, string name)
    {
        var info = store.Describe(name);
        EnsureConvertible(info);
        if (info.ElementCount > Array.MaxLength)
            throw new NotSupportedException($"tensor '{name}' has {info.ElementCount} elements, more than one float[] holds; read it in chunks");
        var result = new float[info.ElementCount];
        store.ReadFloat32(name, 0, result);
        return result;
    }

    /// <summary>The shared body of <see cref="ITensorStore.ReadFloat32(string, long, Span{float})"/>, converting in chunks under 2 GB.</summary>
    public static void ReadRange(ITensorStore store, string name, long firstElement, Span<float> destination)
    {
        var info = store.Describe(name);
        EnsureConvertible(info);
        if (firstElement < 0 || firstElement > info.ElementCount - destination.Length)
            throw new ArgumentOutOfRangeException(nameof(firstElement),
                $"elements [{firstElement}, {firstElement + destination.Length}) are outside tensor '{name}' ({info.ElementCount} elements)");
        int size = info.DType.SizeInBytes();
        const int chunkElements = 1 << 26;
        for (int done = 0; done < destination.Length; done += chunkElements)
        {
            int count = Math.Min(chunkElements, destination.Length - done);
            var bytes = store.GetBytes(name, (firstElement + done) * size, count * size);
            Convert(info, bytes, destination.Slice(done, count));
        }
    }
}
