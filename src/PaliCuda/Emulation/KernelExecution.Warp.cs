namespace PaliCuda.Emulation;

internal sealed partial class KernelExecution
{
    /// <summary>The member mask must name exactly the lanes executing the collective (the same value in all
    /// of them): a lane named but absent would hang or read garbage on a GPU.</summary>
    private void CheckMemberMask(ref DecodedInstruction ins, ulong[] R, uint m, string what)
    {
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            uint member = (uint)R[ins.E * 32 + l];
            if (member != m)
                throw Fail(l, $"{what} member mask 0x{member:X8} differs from the lanes executing it (0x{m:X8})", null);
        }
    }

    private void Shuffle(ref DecodedInstruction ins, ulong[] R, uint m)
    {
        CheckMemberMask(ref ins, R, m, "shfl.sync");
        var mode = (ShflMode)ins.SubOp;
        Span<ulong> source = stackalloc ulong[32];
        for (int l = 0; l < 32; l++) source[l] = R[ins.A * 32 + l];
        for (int l = 0; l < 32; l++)
        {
            if ((m & (1u << l)) == 0) continue;
            int b = (int)(R[ins.B * 32 + l] & 0x1F);
            uint c = (uint)R[ins.C * 32 + l];
            int clamp = (int)(c & 0x1F);
            int segmentMask = (int)((c >> 8) & 0x1F);
            int maxLane = (l & segmentMask) | (clamp & ~segmentMask);
            int minLane = l & segmentMask;
            int j;
            bool inRange;
            switch (mode)
            {
                case ShflMode.Up: j = l - b; inRange = j >= maxLane; break;
                case ShflMode.Down: j = l + b; inRange = j <= maxLane; break;
                case ShflMode.Bfly: j = l ^ b; inRange = j <= maxLane; break;
                default: j = minLane | (b & ~segmentMask); inRange = j <= maxLane; break;
            }
            if (!inRange) j = l;
            if ((m & (1u << j)) == 0)
                throw Fail(l, $"shfl.sync reads lane {j}, which is not executing the shuffle", null);
            R[ins.D * 32 + l] = source[j] & 0xFFFF_FFFF;
            if (ins.D2 >= 0) R[ins.D2 * 32 + l] = inRange ? 1UL : 0UL;
        }
    }

    private void Vote(ref DecodedInstruction ins, ulong[] R, uint m)
    {
        CheckMemberMask(ref ins, R, m, "vote.sync");
        bool negate = (ins.Flags & InstrFlags.NegateC) != 0;
        uint ballot = 0;
        for (int l = 0; l < 32; l++)
            if ((m & (1u << l)) != 0 && (((R[ins.A * 32 + l] & 1) != 0) ^ negate)) ballot |= 1u << l;
        ulong result = (VoteMode)ins.SubOp switch
        {
            VoteMode.All => ballot == m ? 1UL : 0UL,
            VoteMode.Any => ballot != 0 ? 1UL : 0UL,
            VoteMode.Uni => ballot == 0 || ballot == m ? 1UL : 0UL,
            _ => ballot,
        };
        for (int l = 0; l < 32; l++)
            if ((m & (1u << l)) != 0) R[ins.D * 32 + l] = result;
    }
}
