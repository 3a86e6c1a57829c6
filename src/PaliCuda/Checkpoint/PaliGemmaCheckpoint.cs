using PaliCuda.Config;
using PaliCuda.Quantization;

namespace PaliCuda.Checkpoint;

/// <summary>
/// A PaliGemma 2 checkpoint folder: <c>config.json</c>, optional <c>generation_config.json</c>, and the weights as
/// <c>model.safetensors</c> or a sharded <c>model.safetensors.index.json</c>. Opening maps the files and checks every
/// header, name and shape but reads no weight data, so it is cheap for any size; <see cref="ValidateAll"/> reads
/// every byte.
/// </summary>
/// <remarks>
/// The output projection is always the token embedding (tied, as in every released PaliGemma 2). A stored
/// <c>language_model.lm_head.weight</c> (<c>lm_head.weight</c> in the newer layout) is shape-checked on open and
/// compared byte-for-byte with the embedding by <see cref="ValidateAll"/>, which rejects the checkpoint if they differ
/// instead of silently running a different model.
/// </remarks>
public sealed class PaliGemmaCheckpoint : IDisposable
{
    public const string ConfigFileName = "config.json";
    public const string GenerationConfigFileName = "generation_config.json";
    public const string SingleFileName = "model.safetensors";
    public const string ShardIndexFileName = "model.safetensors.index.json";

    /// <summary>Bytes read per step of <see cref="ValidateAll"/>, small enough for frequent progress reports.</summary>
    private const int ScanChunkBytes = 64 << 20;

    public string Directory { get; }
    public PaliGemmaConfig Config { get; }
    /// <summary>Null when the folder has no generation_config.json.</summary>
    public GenerationConfig? GenerationConfig { get; }
    /// <summary>The weights under canonical (transformers 4.47) names; see <see cref="PaliGemmaWeightNames"/>.</summary>
    public ITensorStore Weights { get; }
    /// <summary>How the names were spelled on disk.</summary>
    public CheckpointLayout Layout { get; }
    /// <summary>The file(s) the weights came from: the single file or the shard index.</summary>
    public string WeightsPath { get; }
    /// <summary>Stored tensors the model does not use (e.g. a SigLIP pooling head), canonical names.</summary>
    public IReadOnlyList<string> UnusedTensors { get; }
    /// <summary>Every tensor the model uses, with its expected shape, in checkpoint order of <see cref="PaliGemmaWeightTable"/>.</summary>
    public IReadOnlyList<ExpectedTensor> RequiredTensors { get; }
    /// <summary>The packed weights of a quantized checkpoint (see <see cref="QuantizationMetadata"/>); null for an ordinary one.</summary>
    public QuantizedTensorStore? Quantization { get; private init; }

    private PaliGemmaCheckpoint(string directory, PaliGemmaConfig config, GenerationConfig? generation, ITensorStore weights,
        CheckpointLayout layout, string weightsPath, IReadOnlyList<string> unused, IReadOnlyList<ExpectedTensor> required)
    {
        Directory = directory;
        Config = config;
        GenerationConfig = generation;
        Weights = weights;
        Layout = layout;
        WeightsPath = weightsPath;
        UnusedTensors = unused;
        RequiredTensors = required;
    }

    /// <summary>
    /// Opens and validates a checkpoint folder. When both a single file and a shard index exist, the single file is
    /// used (as transformers does).
    /// </summary>
    public static PaliGemmaCheckpoint Open(string directory, SafetensorsLimits? limits = null)
    {
        var dir = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(dir))
            throw new CheckpointFormatException("checkpoint folder does not exist", dir);
        var config = PaliGemmaConfigReader.Read(Path.Combine(dir, ConfigFileName));
        var generationPath = Path.Combine(dir, GenerationConfigFileName);
        var generation = File.Exists(generationPath) ? GenerationConfigReader.Read(generationPath) : null;

        var singlePath = Path.Combine(dir, SingleFileName);
        var indexPath = Path.Combine(dir, ShardIndexFileName);
        string weightsPath;
        ITensorStore raw;
        if (File.Exists(singlePath)) { raw = QuantizedTensorStore.WrapIfQuantized(SafetensorsFile.Open(singlePath, limits)); weightsPath = singlePath; }
        else if (File.Exists(indexPath)) { raw = ShardedTensorStore.Open(indexPath, limits); weightsPath = indexPath; }
        else throw new CheckpointFormatException($"no {SingleFileName} or {ShardIndexFileName} in the checkpoint folder", dir);

        try
        {
            var layout = CheckpointNameMapping.Detect(raw.Names, weightsPath);
            var canonicalToStored = raw.Names.ToDictionary(
                n => layout == CheckpointLayout.TransformersNew ? CheckpointNameMapping.ToCanonical(n)! : n, n => n, StringComparer.Ordinal);
            var weights = new RenamedTensorStore(raw, canonicalToStored);
            PaliGemmaWeightTable.Validate(weights, config, weightsPath);
            var required = PaliGemmaWeightTable.For(config);
            var used = new HashSet<string>(required.Select(e => e.Name), StringComparer.Ordinal) { PaliGemmaWeightNames.LmHead };
            var unused = canonicalToStored.Keys.Where(n => !used.Contains(n)).Order(StringComparer.Ordinal).ToList();
            return new PaliGemmaCheckpoint(dir, config, generation, weights, layout, weightsPath, unused, required) { Quantization = raw as QuantizedTensorStore };
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }

    /// <summary>Total bytes of the tensors the model uses.</summary>
    public long RequiredBytes => RequiredTensors.Sum(e => Weights.Describe(e.Name).ByteLength);

    /// <summary>
    /// Reads every byte of every used tensor: rejects NaN/infinity (a corrupt or badly converted file) and a stored LM
    /// head that differs from the embedding. Reports progress per 64 MB chunk.
    /// </summary>
    public void ValidateAll(IProgress<CheckpointLoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        long total = RequiredBytes, done = 0;
        int index = 0;
        foreach (var expected in RequiredTensors)
        {
            var info = Weights.Describe(expected.Name);
            int elementSize = info.DType.SizeInBytes();
            for (long offset = 0; offset < info.ByteLength; offset += ScanChunkBytes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = (int)Math.Min(ScanChunkBytes, info.ByteLength - offset);
                long bad = NonFiniteScanner.FindFirst(info.DType, Weights.GetBytes(info.Name, offset, count));
                if (bad >= 0)
                    throw new CheckpointFormatException($"element {offset / elementSize + bad} is NaN or infinite", info.FilePath, info.Name);
                done += count;
                progress?.Report(new CheckpointLoadProgress(info.Name, index, RequiredTensors.Count, done, total));
            }
            index++;
        }
        progress?.Report(new CheckpointLoadProgress("", index, RequiredTensors.Count, done, total));
        CheckLmHeadIsTied(cancellationToken);
    }

    private void CheckLmHeadIsTied(CancellationToken cancellationToken)
    {
        if (!Weights.TryDescribe(PaliGemmaWeightNames.LmHead, out var head)) return;
        var embed = Weights.Describe(PaliGemmaWeightNames.EmbedTokens);
        bool same = head.DType == embed.DType && head.ByteLength == embed.ByteLength;
        for (long offset = 0; same && offset < head.ByteLength; offset += ScanChunkBytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(ScanChunkBytes, head.ByteLength - offset);
            same = Weights.GetBytes(head.Name, offset, count).SequenceEqual(Weights.GetBytes(embed.Name, offset, count));
        }
        if (!same)
            throw new CheckpointFormatException(
                $"the stored LM head differs from {PaliGemmaWeightNames.EmbedTokens}; this runtime always ties the output projection to the embedding",
                head.FilePath, head.Name);
    }

    public void Dispose() => Weights.Dispose();
}
