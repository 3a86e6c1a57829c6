using System.Buffers.Binary;
using System.Text.Json;

namespace PaliCuda.Tests.Imaging;

/// <summary>
/// Just enough of the safetensors format (u64 LE header length, JSON header, raw data) to read the
/// image-preprocessing fixture in tests; the engine has its own reader.
/// </summary>
internal sealed class FixtureSafetensors
{
    private readonly byte[] _file;
    private readonly Dictionary<string, (string DType, int[] Shape, long Begin, long End)> _tensors = new(StringComparer.Ordinal);

    public FixtureSafetensors(string path)
    {
        _file = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(_file.AsSpan(0, 8));
        using var header = JsonDocument.Parse(_file.AsMemory(8, (int)headerLength));
        long dataStart = 8 + headerLength;
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
                continue;
            var offsets = entry.Value.GetProperty("data_offsets");
            _tensors[entry.Name] = (
                entry.Value.GetProperty("dtype").GetString()!,
                entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                dataStart + offsets[0].GetInt64(),
                dataStart + offsets[1].GetInt64());
        }
    }

    public int[] Shape(string name) => _tensors[name].Shape;

    public byte[] U8(string name)
    {
        var t = _tensors[name];
        if (t.DType != "U8")
            throw new InvalidDataException($"{name} is {t.DType}, not U8");
        return _file[(int)t.Begin..(int)t.End];
    }

    public float[] F32(string name)
    {
        var t = _tensors[name];
        if (t.DType != "F32")
            throw new InvalidDataException($"{name} is {t.DType}, not F32");
        var values = new float[(t.End - t.Begin) / 4];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(_file.AsSpan((int)t.Begin + i * 4, 4));
        return values;
    }
}
