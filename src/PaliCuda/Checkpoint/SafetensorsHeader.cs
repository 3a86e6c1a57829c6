using System.Text.Json;

namespace PaliCuda.Checkpoint;

/// <summary>
/// The parsed and fully validated JSON header of one safetensors file: every tensor's dtype, shape and byte range,
/// plus the optional string metadata.
/// </summary>
internal sealed class SafetensorsHeader
{
    public required IReadOnlyList<TensorInfo> Tensors { get; init; }
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }
    /// <summary>Bytes of the data section no tensor covers (legal, but a sign of a sloppy writer).</summary>
    public required long UnusedDataBytes { get; init; }

    private const string MetadataKey = "__metadata__";

    /// <summary>Parses <paramref name="json"/>; <paramref name="dataLength"/> is the size of the data section that follows it.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, string filePath, long dataLength, SafetensorsLimits limits)
    {
        // JsonDocument checks structure only; invalid UTF-8 inside a string would surface later, on GetString.
        if (!System.Text.Unicode.Utf8.IsValid(json))
            throw new CheckpointFormatException("safetensors header is not valid UTF-8 JSON: invalid UTF-8 bytes", filePath);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"safetensors header is not valid UTF-8 JSON: {e.Message}", filePath, inner: e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException($"safetensors header must be a JSON object, found {root.ValueKind}", filePath);

            var tensors = new List<TensorInfo>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new CheckpointFormatException("header declares the same name twice", filePath, property.Name);
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, filePath, metadata);
                    continue;
                }
                if (tensors.Count >= limits.MaxTensorCount)
                    throw new CheckpointFormatException($"header declares more than {limits.MaxTensorCount} tensors (SafetensorsLimits.MaxTensorCount)", filePath);
                tensors.Add(ReadTensor(property.Name, property.Value, filePath, dataLength, limits));
            }

            long unused = CheckNoOverlap(tensors, filePath, dataLength);
            return new SafetensorsHeader { Tensors = tensors, Metadata = metadata, UnusedDataBytes = unused };
        }
    }

    private static void ReadMetadata(JsonElement value, string filePath, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException($"'{MetadataKey}' must be an object of strings, found {value.ValueKind}", filePath);
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new CheckpointFormatException($"'{MetadataKey}' entry '{entry.Name}' must be a string, found {entry.Value.ValueKind}", filePath);
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new CheckpointFormatException($"'{MetadataKey}' declares '{entry.Name}' twice", filePath);
        }
    }

    private static TensorInfo ReadTensor(string name, JsonElement entry, string filePath, long dataLength, SafetensorsLimits limits)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw new CheckpointFormatException($"tensor entry must be an object, found {entry.ValueKind}", filePath, name);

        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new CheckpointFormatException("tensor entry needs a string 'dtype'", filePath, name);
        var dtypeName = dtypeElement.GetString()!;
        if (!TensorDTypes.TryParse(dtypeName, out var dtype))
            throw new CheckpointFormatException($"unknown dtype '{dtypeName}'", filePath, name);

        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new CheckpointFormatException("tensor entry needs an array 'shape'", filePath, name);
        int rank = shapeElement.GetArrayLength();
        if (rank > limits.MaxRank)
            throw new CheckpointFormatException($"shape has rank {rank}, more than {limits.MaxRank} (SafetensorsLimits.MaxRank)", filePath, name);
        var shape = new long[rank];
        long elements = 1;
        int axis = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long size))
                throw new CheckpointFormatException($"shape[{axis}] is not an integer: {dim.GetRawText()}", filePath, name);
            if (size < 0)
                throw new CheckpointFormatException($"shape[{axis}] is negative ({size})", filePath, name);
            shape[axis++] = size;
            try { elements = checked(elements * size); }
            catch (OverflowException)
            {
                throw new CheckpointFormatException($"shape [{string.Join(", ", shapeElement.EnumerateArray().Select(d => d.GetRawText()))}] has more elements than fit in 64 bits", filePath, name);
            }
        }

        if (!entry.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array
            || offsetsElement.GetArrayLength() != 2)
            throw new CheckpointFormatException("tensor entry needs 'data_offsets' as an array of two integers [begin, end]", filePath, name);
        var offsets = new long[2];
        for (int i = 0; i < 2; i++)
        {
            var o = offsetsElement[i];
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out offsets[i]) || offsets[i] < 0)
                throw new CheckpointFormatException($"data_offsets[{i}] is not a non-negative integer: {o.GetRawText()}", filePath, name);
        }
        long begin = offsets[0], end = offsets[1];
        if (begin > end)
            throw new CheckpointFormatException($"data_offsets begin {begin} is after end {end}", filePath, name);
        if (end > dataLength)
            throw new CheckpointFormatException($"data_offsets end {end} is beyond the data section ({dataLength} bytes)", filePath, name);

        long expectedBytes;
        try { expectedBytes = checked(elements * dtype.SizeInBytes()); }
        catch (OverflowException)
        {
            throw new CheckpointFormatException($"{elements} elements of {dtypeName} overflow 64 bits", filePath, name);
        }
        if (end - begin != expectedBytes)
            throw new CheckpointFormatException(
                $"byte length {end - begin} does not match shape [{string.Join(", ", shape)}] × {dtypeName} ({dtype.SizeInBytes()} bytes) = {expectedBytes}",
                filePath, name);

        return new TensorInfo(name, dtype, shape, filePath, begin, end - begin);
    }

    /// <summary>Sorted by offset, each tensor must start at or after the end of the previous one. Returns the gap total.</summary>
    private static long CheckNoOverlap(List<TensorInfo> tensors, string filePath, long dataLength)
    {
        var byOffset = tensors.OrderBy(t => t.DataOffset).ThenBy(t => t.ByteLength).ToList();
        long covered = 0, previousEnd = 0;
        TensorInfo? previous = null;
        foreach (var t in byOffset)
        {
            if (t.ByteLength == 0) continue;
            if (previous is not null && t.DataOffset < previousEnd)
                throw new CheckpointFormatException(
                    $"bytes [{t.DataOffset}, {t.DataOffset + t.ByteLength}) overlap tensor '{previous.Name}' at [{previous.DataOffset}, {previousEnd})",
                    filePath, t.Name);
            covered += t.ByteLength;
            previousEnd = t.DataOffset + t.ByteLength;
            previous = t;
        }
        return dataLength - covered;
    }
}
