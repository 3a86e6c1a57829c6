using System.Reflection;
using System.Text;

namespace PaliCuda.Kernels;

/// <summary>
/// The PTX modules that kernels/Kernels.targets compiled and embedded into this assembly, plus
/// the ptxas report and build information embedded beside them.
/// Resource names: <c>PaliCuda.Kernels.&lt;stem&gt;.ptx</c> (compute_80, loads on every supported
/// GPU), <c>PaliCuda.Kernels.&lt;stem&gt;.&lt;variant&gt;.ptx</c> (e.g. sm_90a, only when the build had nvcc 12+) and
/// <c>PaliCuda.Kernels.&lt;stem&gt;.&lt;arch&gt;.cubin</c> (ptxas's machine code of the compute_80 PTX for each checked
/// architecture, e.g. sm_80 and sm_90).
/// </summary>
public static class EmbeddedPtx
{
    /// <summary>Prefix of every kernel resource; kernels/Kernels.targets uses the same one.</summary>
    public const string ResourcePrefix = "PaliCuda.Kernels.";

    private const string PtxSuffix = ".ptx";
    private const string CubinSuffix = ".cubin";
    private const string ReportResource = ResourcePrefix + "ptxas-report.txt";
    private const string BuildInfoResource = ResourcePrefix + "build-info.txt";

    private static readonly Assembly Owner = typeof(EmbeddedPtx).Assembly;
    // Module stem -> PTX text, read once (see Load).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Texts = new(StringComparer.Ordinal);

    /// <summary>Every embedded PTX resource name, variants included.</summary>
    public static IReadOnlyList<string> ResourceNames { get; } = Owner.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(PtxSuffix, StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Stems of the base (compute_80) modules, one per kernels/*.cu.</summary>
    public static IReadOnlyList<string> Modules { get; } = ResourceNames
        .Select(SplitName)
        .Where(n => n.Variant is null)
        .Select(n => n.Stem)
        .ToArray();

    /// <summary>Architecture-specific variants embedded for <paramref name="stem"/> (e.g. "sm_90a"); empty when none were built.</summary>
    public static IReadOnlyList<string> Variants(string stem) => ResourceNames
        .Select(SplitName)
        .Where(n => n.Stem == stem && n.Variant is not null)
        .Select(n => n.Variant!)
        .ToArray();

    /// <summary>
    /// The compute_80 PTX text of module <paramref name="stem"/>, read from the assembly once: every backend loads every
    /// module it launches, and a CUDA device compares the text it is given with this one (the same instance, so the
    /// comparison is a reference check) before choosing the embedded machine code.
    /// </summary>
    /// <exception cref="KernelNotFoundException">No such module was embedded.</exception>
    public static string Load(string stem) => Texts.GetOrAdd(stem, s => ReadText(ResourceFor(s, variant: null)));

    /// <summary>The PTX text of an architecture-specific variant, or null when the build produced none.</summary>
    public static string? TryLoadVariant(string stem, string variant)
    {
        var name = ResourcePrefix + stem + "." + variant + PtxSuffix;
        return ResourceNames.Contains(name) ? ReadText(name) : null;
    }

    /// <summary>Every embedded machine-code resource name (<c>&lt;stem&gt;.&lt;arch&gt;.cubin</c>).</summary>
    public static IReadOnlyList<string> BinaryResourceNames { get; } = Owner.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(CubinSuffix, StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Architectures (e.g. "sm_80", "sm_90") with embedded machine code for module <paramref name="stem"/>.</summary>
    public static IReadOnlyList<string> BinaryArchitectures(string stem) => BinaryResourceNames
        .Select(n => n[ResourcePrefix.Length..^CubinSuffix.Length])
        .Where(core => core.StartsWith(stem + ".", StringComparison.Ordinal) && core.IndexOf('.', stem.Length + 1) < 0)
        .Select(core => core[(stem.Length + 1)..])
        .ToArray();

    /// <summary>The machine code of module <paramref name="stem"/> for <paramref name="arch"/>, or null when none was embedded.</summary>
    public static byte[]? TryLoadBinary(string stem, string arch)
    {
        var name = ResourcePrefix + stem + "." + arch + CubinSuffix;
        if (!BinaryResourceNames.Contains(name)) return null;
        using var stream = Owner.GetManifestResourceStream(name)!;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// The module as the driver's module loader wants it: UTF-8 bytes ending in a NUL, since
    /// cuModuleLoadData takes PTX as a C string.
    /// </summary>
    /// <exception cref="KernelNotFoundException">No such module was embedded.</exception>
    public static byte[] LoadNullTerminated(string stem)
    {
        var text = Load(stem);
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    /// <summary>ptxas -v output for every module and checked architecture, as the build wrote it.</summary>
    public static string PtxasReportText => ReadText(ReportResource);

    /// <summary>The ptxas report, parsed.</summary>
    public static PtxasReport PtxasReport => PtxasReport.Parse(PtxasReportText);

    /// <summary>How the embedded PTX was built (nvcc path, version, flags).</summary>
    public static KernelBuildInfo BuildInfo => KernelBuildInfo.Parse(ReadText(BuildInfoResource));

    private static string ResourceFor(string stem, string? variant)
    {
        var name = ResourcePrefix + stem + (variant is null ? "" : "." + variant) + PtxSuffix;
        if (!ResourceNames.Contains(name))
        {
            throw new KernelNotFoundException(
                $"PTX module '{stem}' is not embedded in {Owner.GetName().Name}; embedded modules: {string.Join(", ", Modules)}. " +
                "Each kernels/<stem>.cu becomes one module when the engine is built.");
        }

        return name;
    }

    private static string ReadText(string resource)
    {
        using var stream = Owner.GetManifestResourceStream(resource)
            ?? throw new KernelNotFoundException($"Resource '{resource}' is not embedded in {Owner.GetName().Name}; the kernel build did not run.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static (string Stem, string? Variant) SplitName(string resource)
    {
        var core = resource[ResourcePrefix.Length..^PtxSuffix.Length];
        var dot = core.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? (core, null) : (core[..dot], core[(dot + 1)..]);
    }
}
