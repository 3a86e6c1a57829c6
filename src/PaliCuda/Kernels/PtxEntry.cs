namespace PaliCuda.Kernels;

/// <summary>A kernel entry point declared in PTX text: its name and parameter list.</summary>
public sealed record PtxEntry(string Name, IReadOnlyList<PtxParam> Parameters, bool Visible)
{
    /// <summary>Name and parameter types, e.g. <c>palicuda_smoke_axpy(u64, u64, f32, u32)</c>; equal signatures mean compatible launches.</summary>
    public string Signature => KernelSignature.Format(Name, Parameters);
}
