using System.Text.Json;

namespace PaliCuda.Checkpoint;

/// <summary>
/// A checkpoint split over several safetensors files, described by <c>model.safetensors.index.json</c>
/// (<c>{"metadata": {...}, "weight_map": {tensor: shard file}}</c>). Each shard is mapped once. Only tensors the
/// weight map names are visible, and each must really be in the shard the map says.
/// </summary>
public sealed class ShardedTensorStore : ITensorStore
{
    private readonly Dictionary<string, SafetensorsFile> _shardOf;
    private readonly List<SafetensorsFile> _shards;
    private readonly List<string> _names;

    public string IndexPath { get; }
    /// <summary>The index's <c>metadata</c> entries as raw JSON text (e.g. total_size → "123").</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyList<SafetensorsFile> Shards => _shards;
    public IReadOnlyCollection<string> Names => _names;

    private ShardedTensorStore(string indexPath, Dictionary<string, SafetensorsFile> shardOf, List<SafetensorsFile> shards,
        List<string> names, Dictionary<string, string> metadata)
    {
        IndexPath = indexPath;
        _shardOf = shardOf;
        _shards = shards;
        _names = names;
        Metadata = metadata;
    }

    public static ShardedTensorStore Open(string indexJsonPath, SafetensorsLimits? limits = null)
    {
        var indexPath = Path.GetFullPath(indexJsonPath);
        if (!File.Exists(indexPath))
            throw new CheckpointFormatException("shard index does not exist", indexPath);
        var directory = Path.GetDirectoryName(indexPath)!;

        var weightMap = new List<(string Tensor, string File)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        ReadIndex(indexPath, weightMap, metadata, limits ?? SafetensorsLimits.Default);

        var opened = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            var shardOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, file) in weightMap)
            {
                if (!opened.TryGetValue(file, out var shard))
                {
                    var shardPath = Path.Combine(directory, file);
                    if (!File.Exists(shardPath))
                        throw new CheckpointFormatException($"weight_map names shard '{file}', which does not exist", indexPath, tensor);
                    shard = SafetensorsFile.Open(shardPath, limits);
                    opened.Add(file, shard);
                }
                if (!shard.TryDescribe(tensor, out _))
                    throw new CheckpointFormatException($"weight_map places the tensor in '{file}', but that shard does not contain it", indexPath, tensor);
                shardOf.Add(tensor, shard);
            }
            return new ShardedTensorStore(indexPath, shardOf, opened.Values.ToList(), weightMap.Select(w => w.Tensor).ToList(), metadata);
        }
        catch
        {
            foreach (var shard in opened.Values) shard.Dispose();
            throw;
        }
    }

    private static void ReadIndex(string indexPath, List<(string, string)> weightMap, Dictionary<string, string> metadata,
        SafetensorsLimits limits)
    {
        byte[] bytes;
        try
        {
            long length = new FileInfo(indexPath).Length;
            if (length > limits.MaxIndexBytes)
                throw new CheckpointFormatException(
                    $"shard index has {length} bytes, more than the limit of {limits.MaxIndexBytes} (SafetensorsLimits.MaxIndexBytes)", indexPath);
            bytes = File.ReadAllBytes(indexPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointFormatException($"shard index cannot be read: {e.Message}", indexPath, inner: e);
        }
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw new CheckpointFormatException("shard index is not valid UTF-8", indexPath);
        JsonDocument document;
        try { document = JsonDocument.Parse(bytes); }
        catch (JsonException e) { throw new CheckpointFormatException($"shard index is not valid JSON: {e.Message}", indexPath, inner: e); }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException("shard index must be a JSON object", indexPath);
            if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
                foreach (var entry in meta.EnumerateObject())
                    metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
            if (!root.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointFormatException("shard index needs a 'weight_map' object", indexPath);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new CheckpointFormatException("weight_map value must be a file name string", indexPath, entry.Name);
                var file = entry.Value.GetString()!;
                // Shards must sit beside the index: no paths, so a hostile index cannot point elsewhere.
                if (file.Length == 0 || file != Path.GetFileName(file) || file is "." or "..")
                    throw new CheckpointFormatException($"weight_map names '{file}', which is not a plain file name", indexPath, entry.Name);
                if (!seen.Add(entry.Name))
                    throw new CheckpointFormatException("weight_map lists the tensor twice", indexPath, entry.Name);
                weightMap.Add((entry.Name, file));
            }
        }
    }

    public bool TryDescribe(string name, out TensorInfo info)
    {
        if (_shardOf.TryGetValue(name, out var shard)) return shard.TryDescribe(name, out info);
        info = null!;
        return false;
    }

    public TensorInfo Describe(string name) => Shard(name).Describe(name);
    public ReadOnlySpan<byte> GetBytes(string name) => Shard(name).GetBytes(name);
    public ReadOnlySpan<byte> GetBytes(string name, long byteOffset, int byteCount) => Shard(name).GetBytes(name, byteOffset, byteCount);
    public float[] ReadFloat32(string name) => Shard(name).ReadFloat32(name);
    public void ReadFloat32(string name, long firstElement, Span<float> destination) => Shard(name).ReadFloat32(name, firstElement, destination);

    private SafetensorsFile Shard(string name) =>
        _shardOf.TryGetValue(name, out var shard) ? shard : throw new CheckpointFormatException("tensor not found in any shard", IndexPath, name);

    public void Dispose()
    {
        foreach (var shard in _shards) shard.Dispose();
    }
}
