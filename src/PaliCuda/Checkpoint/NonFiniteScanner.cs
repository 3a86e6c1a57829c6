using System.Numerics;
using System.Runtime.InteropServices;

namespace PaliCuda.Checkpoint;

/// <summary>Finds the first NaN or infinity in raw F32/BF16/F16 bytes: all exponent bits set means non-finite in each format.</summary>
internal static class NonFiniteScanner
{
    /// <summary>Element index of the first non-finite value in <paramref name="bytes"/>, or -1.</summary>
    public static long FindFirst(TensorDType dtype, ReadOnlySpan<byte> bytes) => dtype switch
    {
        TensorDType.F32 => Find(MemoryMarshal.Cast<byte, uint>(bytes), 0x7F80_0000u),
        TensorDType.BF16 => Find(MemoryMarshal.Cast<byte, ushort>(bytes), (ushort)0x7F80),
        TensorDType.F16 => Find(MemoryMarshal.Cast<byte, ushort>(bytes), (ushort)0x7C00),
        _ => -1,
    };

    private static long Find<T>(ReadOnlySpan<T> lanes, T exponentMask) where T : unmanaged, IBinaryInteger<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var mask = new Vector<T>(exponentMask);
            for (; i <= lanes.Length - Vector<T>.Count; i += Vector<T>.Count)
                if (Vector.EqualsAny(new Vector<T>(lanes.Slice(i, Vector<T>.Count)) & mask, mask))
                    break;
        }
        for (; i < lanes.Length; i++)
            if ((lanes[i] & exponentMask) == exponentMask)
                return i;
        return -1;
    }
}
