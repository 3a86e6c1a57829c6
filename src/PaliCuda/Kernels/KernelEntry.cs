namespace PaliCuda.Kernels;

/// <summary>
/// One row of the launcher table: which PTX module holds the kernel, its extern "C" name, and the
/// parameter list the launcher packs, in PTX terms.
/// </summary>
/// <param name="Module">PTX module stem, i.e. the kernels/&lt;stem&gt;.cu file name.</param>
/// <param name="Name">Entry-point name as declared with extern "C".</param>
/// <param name="Parameters">Parameter types in declaration order.</param>
public sealed record KernelEntry(string Module, string Name, IReadOnlyList<PtxParam> Parameters)
{
    /// <summary>Same form as <see cref="PtxEntry.Signature"/>, so the two compare as strings.</summary>
    public string Signature => KernelSignature.Format(Name, Parameters);
}
