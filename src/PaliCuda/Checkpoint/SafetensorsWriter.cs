using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace PaliCuda.Checkpoint;

/// <summary>
/// Writes one <c>.safetensors</c> file that <see cref="SafetensorsFile"/> (and the reference library) reads back:
/// 8-byte little-endian header length, the JSON header padded with spaces to a multiple of 8 bytes so the data
/// section starts 8-byte aligned, then the tensors back to back with no gaps. Tensors are laid out by element size,
/// largest first (stable), so every tensor starts at a multiple of its own element size.
/// </summary>
/// <remarks>
/// Tensor data is produced on demand while the file is written (one tensor in memory at a time), and
/// <see cref="Save"/> is atomic: it writes a temporary file in the destination folder, flushes it to disk and renames
/// it over the final name, so a failure at any point leaves either the old file or none — never a partial one.
/// </remarks>
public sealed class SafetensorsWriter
{
    private const int Alignment = 8;
    private readonly List<Entry> _entries = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, string> _metadata;

    private sealed record Entry(string Name, TensorDType DType, long[] Shape, long ByteLength, Action<Stream> WriteData);

    public SafetensorsWriter(IReadOnlyDictionary<string, string>? metadata = null) =>
        _metadata = metadata ?? new Dictionary<string, string>();

    public int Count => _entries.Count;

    /// <summary>Adds a tensor whose bytes are already in memory (little-endian, row-major).</summary>
    public void Add(string name, TensorDType dtype, long[] shape, byte[] data) =>
        Add(name, dtype, shape, stream => stream.Write(data));

    /// <summary>
    /// Adds a tensor whose bytes <paramref name="writeData"/> writes when the file is written; it must write exactly
    /// shape × element size bytes.
    /// </summary>
    public void Add(string name, TensorDType dtype, long[] shape, Action<Stream> writeData)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved for the header's metadata", nameof(name));
        if (!_names.Add(name)) throw new ArgumentException($"tensor '{name}' was already added", nameof(name));
        if (shape.Any(d => d < 0)) throw new ArgumentException($"tensor '{name}' has a negative dimension", nameof(shape));
        long bytes = checked(shape.Aggregate(1L, (a, b) => checked(a * b)) * dtype.SizeInBytes());
        _entries.Add(new Entry(name, dtype, (long[])shape.Clone(), bytes, writeData));
    }

    /// <summary>Writes the file atomically (temporary file in the same folder, flushed, then renamed over <paramref name="path"/>).</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Writes the whole file to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        var ordered = _entries.OrderByDescending(e => e.DType.SizeInBytes()).ToList(); // OrderBy is stable
        var header = BuildHeader(ordered);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        foreach (var e in ordered)
        {
            var counter = new CountingStream(stream);
            e.WriteData(counter);
            if (counter.Written != e.ByteLength)
                throw new InvalidOperationException($"tensor '{e.Name}' wrote {counter.Written} bytes; its shape and dtype need {e.ByteLength}");
        }
    }

    private byte[] BuildHeader(List<Entry> ordered)
    {
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (_metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in _metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var e in ordered)
            {
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", e.DType.ToSafetensorsName());
                json.WriteStartArray("shape");
                foreach (var d in e.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + e.ByteLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += e.ByteLength;
            }
            json.WriteEndObject();
        }
        int padding = (int)((Alignment - buffer.Length % Alignment) % Alignment);
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));
        return buffer.ToArray();
    }

    /// <summary>Passes writes through and counts them, so a tensor that writes the wrong amount is caught.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }
        public override void Write(byte[] buffer, int offset, int count) { inner.Write(buffer, offset, count); Written += count; }
        public override void Write(ReadOnlySpan<byte> buffer) { inner.Write(buffer); Written += buffer.Length; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
