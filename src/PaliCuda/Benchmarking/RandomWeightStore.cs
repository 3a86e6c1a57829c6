using System.Runtime.InteropServices;
using PaliCuda.Checkpoint;
using PaliCuda.Config;
using PaliCuda.Graph;
using PaliCuda.Model;
using PaliCuda.Numerics;

namespace PaliCuda.Benchmarking;

/// <summary>
/// A tensor store that makes every weight a PaliGemma config needs on the fly: deterministic random bf16 values (the
/// same name and seed give the same tensor on every machine), so end-to-end benchmarks run the released shapes with
/// no download. Names and shapes are those the model's own prefill graph declares. Values are sized so activations
/// stay finite: matrices uniform in ±1/√fan_in, SigLIP LayerNorm gains 1 ± 0.1, Gemma norm weights (used as 1 + w)
/// and biases small.
/// </summary>
public sealed class RandomWeightStore : ITensorStore
{
    private const int ChunkElements = 1 << 20;
    private readonly Dictionary<string, TensorInfo> _tensors = new(StringComparer.Ordinal);
    private readonly ulong _seed;

    public RandomWeightStore(PaliGemmaConfig config, ulong seed = 20250101)
    {
        _seed = seed;
        var n = config.NumImageTokens + 1;
        var graph = new PaliGemmaModel(config).RecordPrefill(n, n, allLogits: true);
        foreach (var d in graph.OfKind(BufferKind.Weight))
            _tensors[d.Name] = new TensorInfo(d.Name, TensorDType.BF16, [.. d.Shape.Select(s => (long)s)], "(random weights)", 0, d.ElementCount * 2);
    }

    public IReadOnlyCollection<string> Names => _tensors.Keys;

    /// <summary>Total elements of every weight: the parameter count of the config.</summary>
    public long ParameterCount => _tensors.Values.Sum(t => t.ElementCount);

    public bool TryDescribe(string name, out TensorInfo info) => _tensors.TryGetValue(name, out info!);

    public TensorInfo Describe(string name) =>
        TryDescribe(name, out var info) ? info : throw new CheckpointFormatException("tensor not found in the random weight store", tensorName: name);

    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var info = Describe(name);
        if (info.ByteLength > Array.MaxLength)
            throw new NotSupportedException($"tensor '{name}' is {info.ByteLength} bytes, more than one span holds; use the ranged overload");
        return GetBytes(name, 0, (int)info.ByteLength);
    }

    public ReadOnlySpan<byte> GetBytes(string name, long byteOffset, int byteCount)
    {
        var info = Describe(name);
        if (byteOffset < 0 || byteCount < 0 || byteOffset + byteCount > info.ByteLength || byteOffset % 2 != 0 || byteCount % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(byteOffset), $"bytes [{byteOffset}, {byteOffset + byteCount}) are not whole bf16 elements inside '{name}' ({info.ByteLength} bytes)");
        var values = new float[byteCount / 2];
        Fill(info, byteOffset / 2, values);
        var bits = new ushort[values.Length];
        for (var i = 0; i < bits.Length; i++) bits[i] = BFloat16.RoundToBits(values[i]);
        return MemoryMarshal.AsBytes(bits.AsSpan());
    }

    public float[] ReadFloat32(string name)
    {
        var info = Describe(name);
        if (info.ElementCount > Array.MaxLength) throw new NotSupportedException($"tensor '{name}' has {info.ElementCount} elements, more than one array holds");
        var values = new float[info.ElementCount];
        var chunks = (int)((values.LongLength + ChunkElements - 1) / ChunkElements);
        // Chunks are independent (each value depends only on its index), so the fill parallelises without changing the result.
        Parallel.For(0, chunks, c =>
        {
            var start = (long)c * ChunkElements;
            var length = (int)Math.Min(ChunkElements, values.LongLength - start);
            Fill(info, start, values.AsSpan((int)start, length));
        });
        return values;
    }

    public void ReadFloat32(string name, long firstElement, Span<float> destination)
    {
        var info = Describe(name);
        if (firstElement < 0 || firstElement + destination.Length > info.ElementCount)
            throw new ArgumentOutOfRangeException(nameof(firstElement), $"elements [{firstElement}, {firstElement + destination.Length}) lie outside '{name}' ({info.ElementCount})");
        Fill(info, firstElement, destination);
    }

    private void Fill(TensorInfo info, long firstElement, Span<float> destination)
    {
        var (center, halfWidth) = Distribution(info);
        var stream = _seed ^ NameHash(info.Name);
        for (var i = 0; i < destination.Length; i++)
        {
            var u = (Mix(stream + (ulong)(firstElement + i)) >> 11) * (1.0 / (1UL << 53));
            destination[i] = (float)(BFloat16)(float)(center + (u * 2 - 1) * halfWidth);
        }
    }

    private static (double Center, double HalfWidth) Distribution(TensorInfo info)
    {
        var name = info.Name;
        if (info.Shape.Length >= 2)
        {
            var fanIn = info.ElementCount / info.Shape[0];
            return (0, 1.0 / Math.Sqrt(fanIn));
        }
        var isNorm = name.Contains("norm", StringComparison.Ordinal) && name.EndsWith(".weight", StringComparison.Ordinal);
        if (isNorm && name.StartsWith("vision_tower", StringComparison.Ordinal)) return (1, 0.1);
        return isNorm ? (0, 0.1) : (0, 0.02);
    }

    /// <summary>SplitMix64's finaliser: a fixed, platform-independent hash of a counter.</summary>
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>FNV-1a over the name's UTF-16 code units (string.GetHashCode is randomised per process).</summary>
    private static ulong NameHash(string name)
    {
        var h = 14695981039346656037UL;
        foreach (var ch in name) h = (h ^ ch) * 1099511628211UL;
        return h;
    }

    public void Dispose() { }
}
