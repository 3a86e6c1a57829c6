using System.Text;
using static PaliCuda.Native.Driver.CudaCheck;

namespace PaliCuda.Native.Driver;

/// <summary>
/// Entry point of the driver binding: discovery (<see cref="Probe"/>, never throws), initialization and
/// device queries. This layer is tensor-agnostic: it knows device pointers and byte sizes, not tensors.
/// </summary>
public static unsafe class CudaDriver
{
    private const int DeviceNameCapacity = 256;
    private static readonly object InitGate = new();
    private static bool initialized;

    /// <summary>The platform's driver library file name (<c>libcuda.so.1</c> or <c>nvcuda.dll</c>).</summary>
    public static string LibraryFileName => CudaDriverLibrary.FileName;

    /// <summary>Whether the driver library could be loaded (does not initialize it).</summary>
    public static bool IsLibraryLoaded => CudaDriverLibrary.Instance.IsLoaded;

    /// <summary>Loads, initializes and lists devices. Never throws: every failure is a <see cref="CudaAvailability.Reason"/>.</summary>
    public static CudaAvailability Probe()
    {
        var library = CudaDriverLibrary.Instance;
        if (!library.IsLoaded)
        {
            return new CudaAvailability(false, library.FailureReason, false, 0, []);
        }

        try
        {
            int version = 0;
            var versionResult = CudaDriverApi.cuDriverGetVersion(&version);
            if (versionResult != CuResult.Success)
            {
                return new CudaAvailability(false, $"cuDriverGetVersion: {CudaErrorText.Describe(versionResult)}", true, 0, []);
            }

            var initResult = CudaDriverApi.cuInit(0);
            if (initResult != CuResult.Success)
            {
                return new CudaAvailability(false, $"cuInit: {CudaErrorText.Describe(initResult)}", true, version, []);
            }

            int count = 0;
            var countResult = CudaDriverApi.cuDeviceGetCount(&count);
            if (countResult != CuResult.Success)
            {
                return new CudaAvailability(false, $"cuDeviceGetCount: {CudaErrorText.Describe(countResult)}", true, version, []);
            }

            if (count == 0)
            {
                return new CudaAvailability(false, "cuDeviceGetCount: no CUDA devices", true, version, []);
            }

            var devices = new List<CudaDeviceInfo>(count);
            for (var ordinal = 0; ordinal < count; ordinal++)
            {
                devices.Add(QueryDevice(ordinal));
            }

            var summary = $"CUDA driver {version / 1000}.{version % 1000 / 10}, {count} device(s): {string.Join("; ", devices)}";
            return new CudaAvailability(true, summary, true, version, devices);
        }
        catch (Exception e) when (e is CudaException or EntryPointNotFoundException or DllNotFoundException)
        {
            return new CudaAvailability(false, e.Message, true, 0, []);
        }
    }

    /// <summary>Calls <c>cuInit</c> once per process. Throws <see cref="DllNotFoundException"/> or <see cref="CudaException"/>.</summary>
    public static void Initialize()
    {
        CudaDriverLibrary.Require();
        lock (InitGate)
        {
            if (initialized)
            {
                return;
            }

            Check(CudaDriverApi.cuInit(0));
            initialized = true;
        }
    }

    /// <summary>The driver's CUDA version (<c>1000 × major + 10 × minor</c>); works before <see cref="Initialize"/>.</summary>
    public static int GetDriverVersion()
    {
        CudaDriverLibrary.Require();
        int version = 0;
        Check(CudaDriverApi.cuDriverGetVersion(&version));
        return version;
    }

    /// <summary>Number of visible devices; initializes the driver.</summary>
    public static int GetDeviceCount()
    {
        Initialize();
        int count = 0;
        Check(CudaDriverApi.cuDeviceGetCount(&count));
        return count;
    }

    /// <summary>One device's properties; initializes the driver.</summary>
    public static CudaDeviceInfo GetDeviceInfo(int ordinal)
    {
        Initialize();
        var count = GetDeviceCount();
        if (ordinal < 0 || ordinal >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(ordinal), ordinal, $"Device ordinal must be in [0, {count}).");
        }

        return QueryDevice(ordinal);
    }

    /// <summary>One attribute of one device; initializes the driver.</summary>
    public static int GetAttribute(int ordinal, CuDeviceAttribute attribute)
    {
        Initialize();
        var device = GetDeviceHandle(ordinal);
        int value = 0;
        Check(CudaDriverApi.cuDeviceGetAttribute(&value, attribute, device), $"cuDeviceGetAttribute({attribute}, device {ordinal})");
        return value;
    }

    internal static int GetDeviceHandle(int ordinal)
    {
        int device = 0;
        Check(CudaDriverApi.cuDeviceGet(&device, ordinal), $"cuDeviceGet({ordinal})");
        return device;
    }

    private static CudaDeviceInfo QueryDevice(int ordinal)
    {
        var device = GetDeviceHandle(ordinal);
        var name = stackalloc byte[DeviceNameCapacity];
        Check(CudaDriverApi.cuDeviceGetName(name, DeviceNameCapacity, device), $"cuDeviceGetName(device {ordinal})");
        nuint totalBytes = 0;
        Check(CudaDriverApi.cuDeviceTotalMem_v2(&totalBytes, device), $"cuDeviceTotalMem_v2(device {ordinal})");

        int Get(CuDeviceAttribute attribute)
        {
            int value = 0;
            Check(CudaDriverApi.cuDeviceGetAttribute(&value, attribute, device), $"cuDeviceGetAttribute({attribute}, device {ordinal})");
            return value;
        }

        // Clock attributes were deprecated in CUDA 12 and may be refused or zero on newer drivers.
        int? GetOptional(CuDeviceAttribute attribute)
        {
            int value = 0;
            return CudaDriverApi.cuDeviceGetAttribute(&value, attribute, device) == CuResult.Success && value > 0 ? value : null;
        }

        return new CudaDeviceInfo
        {
            Ordinal = ordinal,
            Name = ReadNulTerminated(new ReadOnlySpan<byte>(name, DeviceNameCapacity)),
            ComputeCapability = new ComputeCapability(Get(CuDeviceAttribute.ComputeCapabilityMajor), Get(CuDeviceAttribute.ComputeCapabilityMinor)),
            SmCount = Get(CuDeviceAttribute.MultiprocessorCount),
            TotalMemoryBytes = checked((long)totalBytes),
            L2CacheBytes = Get(CuDeviceAttribute.L2CacheSize),
            MaxSharedMemoryPerBlock = Get(CuDeviceAttribute.MaxSharedMemoryPerBlock),
            MaxSharedMemoryPerBlockOptin = Get(CuDeviceAttribute.MaxSharedMemoryPerBlockOptin),
            MaxSharedMemoryPerMultiprocessor = Get(CuDeviceAttribute.MaxSharedMemoryPerMultiprocessor),
            MaxThreadsPerBlock = Get(CuDeviceAttribute.MaxThreadsPerBlock),
            MaxThreadsPerMultiprocessor = Get(CuDeviceAttribute.MaxThreadsPerMultiprocessor),
            MaxRegistersPerBlock = Get(CuDeviceAttribute.MaxRegistersPerBlock),
            WarpSize = Get(CuDeviceAttribute.WarpSize),
            ClockRateKHz = GetOptional(CuDeviceAttribute.ClockRate),
            MemoryClockKHz = GetOptional(CuDeviceAttribute.MemoryClockRate),
            MemoryBusWidthBits = Get(CuDeviceAttribute.GlobalMemoryBusWidth),
            AsyncEngineCount = Get(CuDeviceAttribute.AsyncEngineCount),
            Integrated = Get(CuDeviceAttribute.Integrated) != 0,
            PciLocation = $"{Get(CuDeviceAttribute.PciDomainId):x4}:{Get(CuDeviceAttribute.PciBusId):x2}:{Get(CuDeviceAttribute.PciDeviceId):x2}",
        };
    }

    private static string ReadNulTerminated(ReadOnlySpan<byte> text)
    {
        var end = text.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? text[..end] : text);
    }
}
