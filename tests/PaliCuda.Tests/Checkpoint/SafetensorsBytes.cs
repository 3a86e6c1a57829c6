using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaliCuda.Tests.Checkpoint;

/// <summary>Builds safetensors files byte by byte, so tests can write both valid files and every kind of malformed one.</summary>
internal sealed class SafetensorsBytes
{
    private readonly JsonObject _header = new();
    private readonly MemoryStream _data = new();

    public SafetensorsBytes Metadata(string key, string value)
    {
        if (_header["__metadata__"] is not JsonObject meta) _header["__metadata__"] = meta = new JsonObject();
        meta[key] = value;
        return this;
    }

    /// <summary>Appends a tensor with consistent offsets.</summary>
    public SafetensorsBytes Tensor(string name, string dtype, long[] shape, byte[] bytes)
    {
        long begin = _data.Length;
        _data.Write(bytes);
        return RawEntry(name, new JsonObject
        {
            ["dtype"] = dtype,
            ["shape"] = new JsonArray(shape.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
            ["data_offsets"] = new JsonArray(begin, _data.Length),
        });
    }

    public SafetensorsBytes F32(string name, long[] shape, float[] values) =>
        Tensor(name, "F32", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>A F32 tensor of the given shape filled with a simple deterministic pattern.</summary>
    public SafetensorsBytes F32(string name, params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return F32(name, shape, Enumerable.Range(0, (int)n).Select(i => i * 0.001f).ToArray());
    }

    /// <summary>Any JSON entry, valid or not.</summary>
    public SafetensorsBytes RawEntry(string name, JsonNode? entry)
    {
        _header[name] = entry;
        return this;
    }

    /// <summary>Appends data bytes no tensor claims.</summary>
    public SafetensorsBytes ExtraData(int count)
    {
        _data.Write(new byte[count]);
        return this;
    }

    public byte[] Build() => Assemble(Encoding.UTF8.GetBytes(_header.ToJsonString()), _data.ToArray());

    /// <summary>8-byte length, header, data.</summary>
    public static byte[] Assemble(byte[] header, byte[] data, ulong? declaredHeaderLength = null)
    {
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    /// <summary>Reads a safetensors file's header and data, for tests that rewrite existing checkpoints.</summary>
    public static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var header = JsonNode.Parse(file.AsSpan(8, (int)n))!.AsObject();
        return (header, file[(8 + (int)n)..]);
    }

    public static byte[] Join(JsonObject header, byte[] data) =>
        Assemble(Encoding.UTF8.GetBytes(header.ToJsonString(new JsonSerializerOptions())), data);
}
