namespace PaliCuda.Emulation;

/// <summary>PTX special registers the emulator provides; each is mapped to a per-lane register at launch.</summary>
internal enum SpecialRegister : byte
{
    TidX, TidY, TidZ, NtidX, NtidY, NtidZ, CtaidX, CtaidY, CtaidZ, NctaidX, NctaidY, NctaidZ,
    LaneId, WarpId, NWarpId, SmId, LanemaskEq, LanemaskLt, LanemaskLe, LanemaskGt, LanemaskGe,
}

internal static class SpecialRegisters
{
    public static SpecialRegister? Parse(string name) => name switch
    {
        "%tid.x" => SpecialRegister.TidX, "%tid.y" => SpecialRegister.TidY, "%tid.z" => SpecialRegister.TidZ,
        "%ntid.x" => SpecialRegister.NtidX, "%ntid.y" => SpecialRegister.NtidY, "%ntid.z" => SpecialRegister.NtidZ,
        "%ctaid.x" => SpecialRegister.CtaidX, "%ctaid.y" => SpecialRegister.CtaidY, "%ctaid.z" => SpecialRegister.CtaidZ,
        "%nctaid.x" => SpecialRegister.NctaidX, "%nctaid.y" => SpecialRegister.NctaidY, "%nctaid.z" => SpecialRegister.NctaidZ,
        "%laneid" => SpecialRegister.LaneId, "%warpid" => SpecialRegister.WarpId, "%nwarpid" => SpecialRegister.NWarpId,
        "%smid" => SpecialRegister.SmId,
        "%lanemask_eq" => SpecialRegister.LanemaskEq, "%lanemask_lt" => SpecialRegister.LanemaskLt,
        "%lanemask_le" => SpecialRegister.LanemaskLe, "%lanemask_gt" => SpecialRegister.LanemaskGt,
        "%lanemask_ge" => SpecialRegister.LanemaskGe,
        _ => null,
    };
}
