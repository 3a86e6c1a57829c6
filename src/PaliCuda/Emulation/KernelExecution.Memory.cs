using System.Buffers.Binary;

namespace PaliCuda.Emulation;

internal sealed partial class KernelExecution
{
    /// <summary>
    /// Finds the memory an access of <paramref name="size"/> bytes at <paramref name="address"/> touches, checking
    /// alignment and bounds. Throws naming the lane's thread, the PTX line and the address.
    /// </summary>
    private MemoryRegion Resolve(StateSpace space, ulong address, int size, int lane, WarpState w, out int offset, int alignment = 0)
    {
        if (alignment == 0) alignment = size;
        if ((address & (ulong)(alignment - 1)) != 0)
            throw Fail(lane, $"misaligned {size}-byte {SpaceName(space)} access (needs {alignment}-byte alignment)", address);
        if (space == StateSpace.Generic)
        {
            if (AddressMap.InShared(address)) { space = StateSpace.Shared; address -= AddressMap.SharedWindow; }
            else if (AddressMap.InLocal(address)) { space = StateSpace.Local; address -= AddressMap.LocalWindow; }
            else space = StateSpace.Global;
        }
        MemoryRegion region;
        switch (space)
        {
            case StateSpace.Global:
                region = _heap.Find(address, size)
                    ?? throw Fail(lane, $"out-of-bounds global access of {size} bytes ({_heap.Describe(address)})", address);
                offset = (int)(address - region.Base);
                return region;
            case StateSpace.Shared: region = _shared; break;
            case StateSpace.Local: region = _local[w.Index * 32 + lane]; break;
            case StateSpace.Param: region = _params; break;
            default: region = _k.ConstBank; break;
        }
        if (address > (ulong)region.Length || (ulong)region.Length - address < (ulong)size)
            throw Fail(lane, $"out-of-bounds {SpaceName(space)} access of {size} bytes ({SpaceName(space)} size is {region.Length} bytes)", address);
        offset = (int)address;
        return region;
    }

    private static string SpaceName(StateSpace s) => s.ToString().ToLowerInvariant();

    private static ulong ReadBytes(byte[] data, int offset, int size) => size switch
    {
        1 => data[offset],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset)),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset)),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(offset)),
    };

    private static void WriteBytes(byte[] data, int offset, int size, ulong value)
    {
        switch (size)
        {
            case 1: data[offset] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(offset), (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(offset), (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(offset), value); break;
        }
    }

    private void CheckInitialized(MemoryRegion region, int offset, int size, int lane, ulong address)
    {
        if (_checkInit && region.InitBits != null && !region.IsInitialized(offset, size))
            throw Fail(lane, $"read of uninitialised {region.Name} memory ({size} bytes, never written)", address);
    }

    private void Load(ref DecodedInstruction ins, ulong[] R, uint m, WarpState w)
    {
        int elementSize = PtxTypes.SizeOf(ins.SrcType);
        int n = ins.VectorCount;
        bool signed = PtxTypes.IsSigned(ins.SrcType);
        int shift = 64 - elementSize * 8;
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong address = R[ins.A * 32 + l] + (ulong)ins.Offset;
            var region = Resolve(ins.Space, address, elementSize * n, l, w, out int offset);
            if (region == _shared) CheckSharedRead(offset, elementSize * n, l, w, address);
            CheckInitialized(region, offset, elementSize * n, l, address);
            for (int e = 0; e < n; e++)
            {
                ulong v = ReadBytes(region.Data, offset + e * elementSize, elementSize);
                if (signed) v = (ulong)((long)(v << shift) >> shift);
                int dst = n == 1 ? ins.D : _pool[ins.VectorStart + e];
                R[dst * 32 + l] = v;
            }
        }
    }

    private void Store(ref DecodedInstruction ins, ulong[] R, uint m, WarpState w)
    {
        int elementSize = PtxTypes.SizeOf(ins.SrcType);
        int n = ins.VectorCount;
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong address = R[ins.A * 32 + l] + (ulong)ins.Offset;
            var region = Resolve(ins.Space, address, elementSize * n, l, w, out int offset);
            if (region == _shared) CheckSharedWrite(offset, elementSize * n, l, w, address);
            else if (_logGlobalWrites && region.Base >= AddressMap.HeapBase)
                GlobalWrites.Add(address, elementSize * n, _blockIndex, w.Index * 32 + l, _code[_pc].Line);
            for (int e = 0; e < n; e++)
            {
                int src = n == 1 ? ins.B : _pool[ins.VectorStart + e];
                WriteBytes(region.Data, offset + e * elementSize, elementSize, R[src * 32 + l]);
            }
            region.MarkInitialized(offset, elementSize * n);
        }
    }

    private void CvtaToSpace(ref DecodedInstruction ins, ulong[] R, uint m)
    {
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong a = R[ins.A * 32 + l];
            ulong r;
            switch (ins.Space)
            {
                case StateSpace.Shared:
                    if (!AddressMap.InShared(a)) throw Fail(l, "cvta.to.shared of an address outside shared memory", a);
                    r = a - AddressMap.SharedWindow;
                    break;
                case StateSpace.Local:
                    if (!AddressMap.InLocal(a)) throw Fail(l, "cvta.to.local of an address outside local memory", a);
                    r = a - AddressMap.LocalWindow;
                    break;
                default:
                    if (AddressMap.InShared(a) || AddressMap.InLocal(a)) throw Fail(l, "cvta.to.global of a shared or local address", a);
                    r = a;
                    break;
            }
            R[ins.D * 32 + l] = r & ins.Mask;
        }
    }

    private void CvtaToGeneric(ref DecodedInstruction ins, ulong[] R, uint m)
    {
        ulong window = ins.Space switch
        {
            StateSpace.Shared => AddressMap.SharedWindow,
            StateSpace.Local => AddressMap.LocalWindow,
            _ => 0,
        };
        for (int l = 0; l < 32; l++)
            if ((m & (1u << l)) != 0) R[ins.D * 32 + l] = (R[ins.A * 32 + l] + window) & ins.Mask;
    }

    /// <summary>Atomics run lane by lane in lane order: each sees the previous lane's update, which is one of
    /// the orders a GPU may produce.</summary>
    private void Atomic(ref DecodedInstruction ins, ulong[] R, uint m, WarpState w)
    {
        if (_heap.ConcurrentAccess && ins.Space != StateSpace.Shared)
        {
            // Other blocks run on other host threads: their atomics on global memory must not interleave.
            lock (_heap.AtomicLock) AtomicLanes(ref ins, R, m, w);
        }
        else AtomicLanes(ref ins, R, m, w);
    }

    private void AtomicLanes(ref DecodedInstruction ins, ulong[] R, uint m, WarpState w)
    {
        int size = PtxTypes.SizeOf(ins.Type);
        var op = (AtomOp)ins.SubOp;
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            ulong address = R[ins.A * 32 + l] + (ulong)ins.Offset;
            var region = Resolve(ins.Space, address, size, l, w, out int offset);
            if (region == _shared) CheckSharedAtomic(offset, size, l, w, address);
            CheckInitialized(region, offset, size, l, address);
            ulong old = ReadBytes(region.Data, offset, size);
            ulong b = R[ins.B * 32 + l] & ins.Mask;
            ulong updated = op switch
            {
                AtomOp.Add => ins.Type switch
                {
                    PtxType.F32 => FloatMath.Bits(FloatMath.Single(old) + FloatMath.Single(b)),
                    PtxType.F64 => FloatMath.Bits(FloatMath.Double(old) + FloatMath.Double(b)),
                    _ => old + b,
                },
                AtomOp.Min => PtxTypes.IsSigned(ins.Type)
                    ? (IntBits.SignExtend(old, ins.Mask) <= IntBits.SignExtend(b, ins.Mask) ? old : b) : Math.Min(old, b),
                AtomOp.Max => PtxTypes.IsSigned(ins.Type)
                    ? (IntBits.SignExtend(old, ins.Mask) >= IntBits.SignExtend(b, ins.Mask) ? old : b) : Math.Max(old, b),
                AtomOp.Exch => b,
                AtomOp.Cas => old == b ? R[ins.C * 32 + l] : old,
                AtomOp.And => old & b,
                AtomOp.Or => old | b,
                AtomOp.Xor => old ^ b,
                AtomOp.Inc => old >= b ? 0 : old + 1,
                _ => old == 0 || old > b ? b : old - 1,
            };
            WriteBytes(region.Data, offset, size, updated & ins.Mask);
            region.MarkInitialized(offset, size);
            if (ins.D >= 0) R[ins.D * 32 + l] = old;
        }
    }
}
