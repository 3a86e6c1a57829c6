using System.Text;
using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>An owned module (<c>cuModuleLoadDataEx</c>): PTX JIT-compiled for the context's device, or a cubin.</summary>
public sealed unsafe class CudaModule : CudaResource
{
    /// <summary>Size of each JIT log buffer; ptxas diagnostics for one kernel file fit easily.</summary>
    public const int JitLogCapacityBytes = 16 * 1024;

    private static ReadOnlySpan<byte> ElfMagic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    private static ReadOnlySpan<byte> FatbinMagic => [0x50, 0xED, 0x55, 0xBA];

    private CudaModule(CudaContext context, nint module, string infoLog)
        : base(context, module)
    {
        JitInfoLog = infoLog;
    }

    /// <summary>What the JIT wrote to its info log while loading (often empty).</summary>
    public string JitInfoLog { get; }

    /// <summary>Compiles and loads PTX text. On failure throws <see cref="CudaJitException"/> with the JIT logs.</summary>
    public static CudaModule LoadPtx(CudaContext context, string ptx)
    {
        ArgumentNullException.ThrowIfNull(ptx);
        return LoadImage(context, NulTerminated(ptx));
    }

    /// <summary>Loads a cubin, fatbin or PTX image (PTX gets a terminating NUL if it lacks one).</summary>
    public static CudaModule LoadImage(CudaContext context, ReadOnlySpan<byte> image)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (image.IsEmpty)
        {
            throw new ArgumentException("A module image cannot be empty.", nameof(image));
        }

        var isBinary = image.StartsWith(ElfMagic) || image.StartsWith(FatbinMagic);
        byte[]? terminated = !isBinary && image[^1] != 0 ? [.. image, 0] : null;
        var errorLog = new byte[JitLogCapacityBytes];
        var infoLog = new byte[JitLogCapacityBytes];
        var options = stackalloc CuJitOption[]
        {
            CuJitOption.ErrorLogBuffer, CuJitOption.ErrorLogBufferSizeBytes,
            CuJitOption.InfoLogBuffer, CuJitOption.InfoLogBufferSizeBytes,
        };

        nint module = 0;
        CuResult result;
        fixed (byte* imagePointer = terminated is null ? image : terminated)
        fixed (byte* errorPointer = errorLog)
        fixed (byte* infoPointer = infoLog)
        {
            // Sizes travel in the pointer-sized value slots, as the driver API specifies for these options.
            var values = stackalloc void*[]
            {
                errorPointer, (void*)(nuint)JitLogCapacityBytes,
                infoPointer, (void*)(nuint)JitLogCapacityBytes,
            };

            using (context.Enter())
            {
                result = CudaDriverApi.cuModuleLoadDataEx(&module, imagePointer, 4, options, values);
            }
        }

        if (result != CuResult.Success)
        {
            throw new CudaJitException(result, "cuModuleLoadDataEx", ReadLog(errorLog), ReadLog(infoLog));
        }

        return new CudaModule(context, module, ReadLog(infoLog));
    }

    /// <summary>The kernel named <paramref name="name"/> (an <c>extern "C"</c> or mangled entry name).</summary>
    public CudaFunction GetFunction(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        nint function = 0;
        fixed (byte* namePointer = NulTerminated(name))
        {
            Check(CudaDriverApi.cuModuleGetFunction(&function, NativeHandle, namePointer), $"cuModuleGetFunction(\"{name}\")");
        }

        return new CudaFunction(this, function, name);
    }

    private static byte[] NulTerminated(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    private static string ReadLog(byte[] log)
    {
        var end = Array.IndexOf(log, (byte)0);
        return Encoding.UTF8.GetString(log, 0, end >= 0 ? end : log.Length).Trim();
    }

    private protected override CuResult Free(nint nativeHandle) => CudaDriverApi.cuModuleUnload(nativeHandle);
}
