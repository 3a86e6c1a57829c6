using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace PaliCuda.Checkpoint;

/// <summary>
/// One <c>.safetensors</c> file, memory-mapped read-only. Layout: an 8-byte little-endian header length N, N bytes of
/// JSON header (<c>{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}</c>), then the data
/// section that the offsets are relative to. Everything in the header is checked on open, so a malformed file fails
/// here with a <see cref="CheckpointFormatException"/> rather than later with garbage weights.
/// </summary>
public sealed unsafe class SafetensorsFile : ITensorStore
{
    private const int HeaderLengthBytes = 8;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _base;
    private readonly long _dataStart;
    private readonly Dictionary<string, TensorInfo> _tensors;
    private readonly List<string> _names;

    public string FilePath { get; }
    /// <summary>The header's <c>__metadata__</c> strings (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Bytes of the data section not covered by any tensor (0 for files written by the reference library).</summary>
    public long UnusedDataBytes { get; }
    public long FileLength { get; }
    /// <summary>Tensor names in data-offset order (the order a sequential reader touches them).</summary>
    public IReadOnlyCollection<string> Names => _names;

    private SafetensorsFile(string path, SafetensorsLimits limits)
    {
        FilePath = path;
        var fileInfo = new FileInfo(path);
        if (!fileInfo.Exists)
            throw new CheckpointFormatException("safetensors file does not exist", path);
        FileLength = fileInfo.Length;
        if (FileLength < HeaderLengthBytes)
            throw new CheckpointFormatException($"file is {FileLength} bytes, shorter than the 8-byte header length", path);

        try
        {
            _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException($"safetensors file cannot be mapped: {e.Message}", path, inner: e);
        }
        try
        {
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _base = pointer + _view.PointerOffset;

            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(_base, HeaderLengthBytes));
            if (headerLength == 0)
                throw new CheckpointFormatException("header length is 0", path);
            // A span indexes with int, so the configurable limit is capped at 2 GB.
            if (headerLength > (ulong)Math.Min(limits.MaxHeaderBytes, int.MaxValue))
                throw new CheckpointFormatException($"header length {headerLength} exceeds the limit of {limits.MaxHeaderBytes} bytes (SafetensorsLimits.MaxHeaderBytes)", path);
            if (headerLength > (ulong)(FileLength - HeaderLengthBytes))
                throw new CheckpointFormatException($"header length {headerLength} is longer than the {FileLength - HeaderLengthBytes} bytes after it", path);

            _dataStart = HeaderLengthBytes + (long)headerLength;
            var header = SafetensorsHeader.Parse(new ReadOnlySpan<byte>(_base + HeaderLengthBytes, (int)headerLength),
                path, FileLength - _dataStart, limits);
            _tensors = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
            _names = header.Tensors.OrderBy(t => t.DataOffset).Select(t => t.Name).ToList();
            Metadata = header.Metadata;
            UnusedDataBytes = header.UnusedDataBytes;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Maps and validates <paramref name="path"/>.</summary>
    public static SafetensorsFile Open(string path, SafetensorsLimits? limits = null) =>
        new(Path.GetFullPath(path), limits ?? SafetensorsLimits.Default);

    public bool TryDescribe(string name, out TensorInfo info) => _tensors.TryGetValue(name, out info!);

    public TensorInfo Describe(string name) =>
        _tensors.TryGetValue(name, out var info) ? info : throw new CheckpointFormatException("tensor not found", FilePath, name);

    public ReadOnlySpan<byte> GetBytes(string name)
    {
        var info = Describe(name);
        if (info.ByteLength > int.MaxValue)
            throw new NotSupportedException($"tensor '{name}' in {FilePath} is {info.ByteLength} bytes, more than one span holds; use GetBytes(name, offset, count)");
        return Slice(info, 0, (int)info.ByteLength);
    }

    public ReadOnlySpan<byte> GetBytes(string name, long byteOffset, int byteCount)
    {
        var info = Describe(name);
        if (byteOffset < 0 || byteCount < 0 || byteOffset > info.ByteLength - byteCount)
            throw new ArgumentOutOfRangeException(nameof(byteOffset),
                $"bytes [{byteOffset}, {byteOffset + byteCount}) are outside tensor '{name}' ({info.ByteLength} bytes)");
        return Slice(info, byteOffset, byteCount);
    }

    public float[] ReadFloat32(string name) => TensorFloatConversion.ReadAll(this, name);

    public void ReadFloat32(string name, long firstElement, Span<float> destination) =>
        TensorFloatConversion.ReadRange(this, name, firstElement, destination);

    private ReadOnlySpan<byte> Slice(TensorInfo info, long offsetInTensor, int count)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        return new ReadOnlySpan<byte>(_base + _dataStart + info.DataOffset + offsetInTensor, count);
    }

    public void Dispose()
    {
        if (_base != null)
        {
            _view!.SafeMemoryMappedViewHandle.ReleasePointer();
            _base = null;
        }
        _view?.Dispose();
        _map?.Dispose();
    }
}
