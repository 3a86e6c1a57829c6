using System.Buffers.Binary;
using PaliCuda.Checkpoint;

namespace PaliCuda.Verification;

/// <summary>Typed reads of a fixture's reference.safetensors (float, int64 and uint8 tensors).</summary>
internal sealed class ReferenceTensors : IDisposable
{
    private readonly SafetensorsFile _file;

    public ReferenceTensors(string path) => _file = SafetensorsFile.Open(path);

    public bool Contains(string name) => _file.TryDescribe(name, out _);
    public TensorInfo Describe(string name) => _file.Describe(name);
    public float[] Float(string name) => _file.ReadFloat32(name);

    /// <summary>An integer tensor (I64, I32 or U8) as ints; I64 values beyond int range are rejected.</summary>
    public int[] Int(string name)
    {
        var info = _file.Describe(name);
        var bytes = _file.GetBytes(name);
        var result = new int[info.ElementCount];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = info.DType switch
            {
                TensorDType.I64 => ToInt32(BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(i * 8, 8)), i, info, name),
                TensorDType.I32 => BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(i * 4, 4)),
                TensorDType.U8 => bytes[i],
                _ => throw new CheckpointFormatException($"expected an integer tensor, found {info.DType}", info.FilePath, name),
            };
        }
        return result;
    }

    private static int ToInt32(long value, int index, TensorInfo info, string name) =>
        value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new CheckpointFormatException($"element {index} ({value}) does not fit a 32-bit id", info.FilePath, name);

    public void Dispose() => _file.Dispose();
}
