using System.Buffers.Binary;
using System.Runtime.InteropServices;
using PaliCuda.Numerics;

namespace PaliCuda.Quantization;

/// <summary>
/// int4 weight-only: groups of <see cref="GroupSize"/> consecutive inputs of one output row share a bf16 scale.
/// </summary>
/// <remarks>
/// Layout (packing version 1), for weights [N, K] (row-major [out, in]):
/// <list type="bullet">
/// <item>K is padded to Kp = ⌈K / 128⌉ · 128 with q = 0; the last group's scale comes from its real elements only.
/// Padded weights decode to exactly 0, so a kernel has no tail case for the weights — it must still mask activation
/// loads at k ≥ K to 0 (0 × a NaN beyond the buffer would be NaN).</item>
/// <item><c>qweight</c>: U8 [N, Kp / 2]; row r starts at byte r · Kp/2 (a multiple of 64, so every 16-byte load is
/// aligned). Each element is stored as the nibble n = q + 8 ∈ [0, 15].</item>
/// <item>Elements k = 8b .. 8b+7 form the little-endian 32-bit word b of the row. Nibble slot j (bits 4j..4j+3)
/// holds element 8b + <see cref="SlotElement"/>[j] = 8b + {0, 2, 4, 6, 1, 3, 5, 7}[j], so
/// <c>(word &gt;&gt; 4t) &amp; 0x000F000F</c> puts elements 2t and 2t+1 (t = 0..3) into the low and high 16-bit
/// halves. OR-ing 0x43004300 turns that into the bf16 pair (128 + n₀, 128 + n₁) and subtracting (136, 136) gives
/// (q₀, q₁) exactly: two elements per lop3 + one bf16x2 subtract, no per-nibble shifts.</item>
/// <item>A thread's 16-byte load is 4 words = 32 consecutive k (a quarter group); 4 threads cover one group, a warp
/// reads 512 contiguous bytes = 1024 k of one row.</item>
/// <item><c>scales</c>: BF16 [N, Kp / 128]. s = the smallest bf16 ≥ max(max⁺ / 7, max⁻ / 8) where max⁺ is the largest
/// positive and max⁻ the largest negative magnitude of the group, so the extra level −8 is used when the negative
/// side dominates and nothing clips. q = clamp(round_half_even(w / s), −8, 7).</item>
/// <item>The value is s · q in float32, which is exact (4-bit q × 8-bit significand fits 24 bits): a kernel that
/// multiplies in fp32 reconstructs the identical weight. (In bf16 the product would round.)</item>
/// </list>
/// </remarks>
public static class Int4GroupFormat
{
    public const int GroupSize = 128;
    public const int MinLevel = -8;
    public const int MaxLevel = 7;
    /// <summary>Stored nibble = q + <see cref="NibbleOffset"/>.</summary>
    public const int NibbleOffset = 8;
    /// <summary>Element (within its block of 8) held by nibble slot j of the block's 32-bit word.</summary>
    public static ReadOnlySpan<byte> SlotElement => [0, 2, 4, 6, 1, 3, 5, 7];

    public static int PaddedColumns(int columns) => checked((columns + GroupSize - 1) / GroupSize * GroupSize);
    public static int GroupCount(int columns) => PaddedColumns(columns) / GroupSize;
    public static int RowBytes(int columns) => PaddedColumns(columns) / 2;

    public static QuantizedWeight Quantize(ReadOnlySpan<float> weights, int rows, int columns)
    {
        QuantizedWeight.CheckShape(weights.Length, rows, columns);
        int padded = PaddedColumns(columns), groups = padded / GroupSize;
        var packed = new byte[(long)rows * padded / 2];
        var scaleBits = new ushort[(long)rows * groups];
        var q = new sbyte[padded];
        for (int r = 0; r < rows; r++)
        {
            var row = weights.Slice(r * columns, columns);
            Array.Clear(q);
            for (int g = 0; g < groups; g++)
            {
                int start = g * GroupSize, end = Math.Min(columns, start + GroupSize);
                var group = row[start..end];
                float scale = GroupScale(group);
                scaleBits[r * groups + g] = (ushort)(BitConverter.SingleToUInt32Bits(scale) >> 16); // exact: scale is a bf16 value
                if (scale == 0f) continue;
                for (int c = 0; c < group.Length; c++)
                    q[start + c] = (sbyte)Math.Clamp(MathF.Round(group[c] / scale, MidpointRounding.ToEven), MinLevel, MaxLevel);
            }
            Pack(q, packed.AsSpan(r * (padded / 2), padded / 2));
        }
        return new QuantizedWeight(WeightFormat.Int4, rows, columns, packed, MemoryMarshal.AsBytes(scaleBits.AsSpan()).ToArray());
    }

    /// <summary>The group's scale, already a bf16 value (returned as the float it widens to).</summary>
    internal static float GroupScale(ReadOnlySpan<float> group)
    {
        float positive = 0f, negative = 0f;
        foreach (var v in group)
        {
            if (!float.IsFinite(v)) throw new ArgumentException("weights must be finite to quantize", nameof(group));
            if (v > positive) positive = v;
            if (-v > negative) negative = -v;
        }
        return RoundUpToBFloat16(MathF.Max(positive / MaxLevel, negative / -MinLevel));
    }

    /// <summary>The smallest bf16 value ≥ <paramref name="value"/> (≥ 0, finite), so scaling never pushes q past its range.</summary>
    internal static float RoundUpToBFloat16(float value)
    {
        ushort bits = BFloat16.RoundToBits(value);
        if ((float)BFloat16.FromBits(bits) < value) bits++;
        return BFloat16.FromBits(bits);
    }

    /// <summary>Packs q ∈ [−8, 7] (length a multiple of 8) into nibbles in the documented slot order.</summary>
    public static void Pack(ReadOnlySpan<sbyte> q, Span<byte> destination)
    {
        if (q.Length % 8 != 0 || destination.Length != q.Length / 2)
            throw new ArgumentException($"packing needs a multiple of 8 values and half as many bytes, got {q.Length} and {destination.Length}");
        var slots = SlotElement;
        for (int b = 0; b < q.Length / 8; b++)
        {
            uint word = 0;
            for (int j = 0; j < 8; j++)
            {
                int value = q[8 * b + slots[j]];
                if (value is < MinLevel or > MaxLevel) throw new ArgumentOutOfRangeException(nameof(q), value, "int4 value outside [-8, 7]");
                word |= (uint)(value + NibbleOffset) << (4 * j);
            }
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(4 * b, 4), word);
        }
    }

    /// <summary>
    /// The inverse of <see cref="Pack"/>, written the way a GPU thread unpacks: per word, four masked shifts each
    /// yield the consecutive pair (2t, 2t+1).
    /// </summary>
    public static void Unpack(ReadOnlySpan<byte> packed, Span<sbyte> q)
    {
        if (q.Length != packed.Length * 2) throw new ArgumentException($"unpacking {packed.Length} bytes needs {packed.Length * 2} values, got {q.Length}");
        for (int b = 0; b < packed.Length / 4; b++)
        {
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(packed.Slice(4 * b, 4));
            for (int t = 0; t < 4; t++)
            {
                uint pair = (word >> (4 * t)) & 0x000F000F;
                q[8 * b + 2 * t] = (sbyte)((int)(pair & 0xF) - NibbleOffset);
                q[8 * b + 2 * t + 1] = (sbyte)((int)(pair >> 16) - NibbleOffset);
            }
        }
    }

    /// <summary>Row <paramref name="row"/> (its <paramref name="columns"/> real elements) as float32: s_group · q.</summary>
    public static void DequantizeRow(ReadOnlySpan<byte> qweight, ReadOnlySpan<byte> scales, int columns, int row, Span<float> destination)
    {
        int padded = PaddedColumns(columns), groups = padded / GroupSize;
        Span<sbyte> q = stackalloc sbyte[GroupSize];
        var scaleBits = MemoryMarshal.Cast<byte, ushort>(scales).Slice(row * groups, groups);
        var rowBytes = qweight.Slice(row * (padded / 2), padded / 2);
        for (int g = 0; g < groups; g++)
        {
            Unpack(rowBytes.Slice(g * GroupSize / 2, GroupSize / 2), q);
            float scale = BFloat16.FromBits(scaleBits[g]);
            int start = g * GroupSize, count = Math.Min(GroupSize, columns - start);
            for (int c = 0; c < count; c++) destination[start + c] = scale * q[c];
        }
    }
}
