namespace PaliCuda.Kernels;

/// <summary>
/// How the embedded PTX was built: the build writes this as key=value lines so that tests can
/// rerun exactly the same nvcc command and tools can show which compiler produced the kernels.
/// </summary>
/// <param name="NvccPath">nvcc the build used.</param>
/// <param name="NvccVersion">CUDA release of that nvcc, e.g. "11.8".</param>
/// <param name="NvccFlags">nvcc arguments before the input file and <c>-o</c> output.</param>
/// <param name="Sm90aFlags">Arguments for the sm_90a variant; empty when none was built.</param>
/// <param name="PtxasPath">ptxas the build checked every module with.</param>
/// <param name="PtxasArchs">Architectures every module was assembled for.</param>
public sealed record KernelBuildInfo(
    string NvccPath,
    string NvccVersion,
    IReadOnlyList<string> NvccFlags,
    IReadOnlyList<string> Sm90aFlags,
    string PtxasPath,
    IReadOnlyList<string> PtxasArchs)
{
    /// <exception cref="InvalidDataException">A required key is missing or a line is not key=value.</exception>
    public static KernelBuildInfo Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new InvalidDataException($"Kernel build info, line {lineNumber}: expected key=value, got '{line}'.");
            }

            values[line[..eq]] = line[(eq + 1)..];
        }

        string Required(string key) => values.TryGetValue(key, out var v) && v.Length > 0
            ? v
            : throw new InvalidDataException($"Kernel build info has no '{key}' line.");
        static string[] Words(string? v) => (v ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

        return new KernelBuildInfo(
            Required("nvcc"),
            Required("nvcc-version"),
            Words(Required("nvcc-flags")),
            Words(values.GetValueOrDefault("nvcc-sm90a-flags")),
            Required("ptxas"),
            Words(Required("ptxas-archs")));
    }
}
