namespace PaliCuda.Kernels;

/// <summary>The one textual form of a kernel signature, shared by PTX entries and the launcher table so they compare as strings.</summary>
public static class KernelSignature
{
    public static string Format(string name, IReadOnlyList<PtxParam> parameters) =>
        $"{name}({string.Join(", ", parameters)})";
}
