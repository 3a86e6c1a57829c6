using System.Text.Json.Nodes;
using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Numerics;

namespace PaliCuda.Tests.Checkpoint;

/// <summary>Checkpoints rewritten from the tiny fixture: sharded, newer names, bf16, and broken variants.</summary>
public class CheckpointVariantTests
{
    private TempFolder _temp = null!;
    private JsonObject _header = null!;
    private byte[] _data = null!;

    [SetUp]
    public void CopyConfigs()
    {
        _temp = TestPaths.NewTempFolder();
        foreach (var name in new[] { "config.json", "generation_config.json" })
            File.Copy(TestPaths.Fixture("tiny-pg2", name), _temp.File(name));
        (_header, _data) = SafetensorsBytes.Split(File.ReadAllBytes(TestPaths.Fixture("tiny-pg2", "model.safetensors")));
    }

    [TearDown] public void DeleteFolder() => _temp.Dispose();

    private IEnumerable<string> TensorNames => _header.Select(p => p.Key).Where(k => k != "__metadata__").ToList();

    /// <summary>Copies tensors (optionally renamed or altered) into a new safetensors file with fresh offsets.</summary>
    private byte[] Rewrite(IEnumerable<string> names, Func<string, string>? rename = null, Func<string, byte[], byte[]>? alter = null,
        Func<string, long[], long[]>? reshape = null)
    {
        var builder = new SafetensorsBytes();
        foreach (var name in names)
        {
            var entry = _header[name]!.AsObject();
            var offsets = entry["data_offsets"]!.AsArray();
            var bytes = _data[(int)offsets[0]!.GetValue<long>()..(int)offsets[1]!.GetValue<long>()];
            var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            builder.Tensor(rename?.Invoke(name) ?? name, entry["dtype"]!.GetValue<string>(), reshape?.Invoke(name, shape) ?? shape,
                alter?.Invoke(name, bytes) ?? bytes);
        }
        return builder.Build();
    }

    private float[] Original(string name)
    {
        using var file = SafetensorsFile.Open(TestPaths.Fixture("tiny-pg2", "model.safetensors"));
        return file.ReadFloat32(name);
    }

    [Test]
    public void ShardedCheckpointOpensAndReadsTheSameWeights()
    {
        var names = TensorNames.ToList();
        var first = names.Where((_, i) => i % 2 == 0).ToList();
        var second = names.Except(first).ToList();
        _temp.Write("model-00001-of-00002.safetensors", Rewrite(first));
        _temp.Write("model-00002-of-00002.safetensors", Rewrite(second));
        var map = new JsonObject();
        foreach (var n in first) map[n] = "model-00001-of-00002.safetensors";
        foreach (var n in second) map[n] = "model-00002-of-00002.safetensors";
        _temp.Write(PaliGemmaCheckpoint.ShardIndexFileName, new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = _data.Length }, ["weight_map"] = map }.ToJsonString());

        using var checkpoint = PaliGemmaCheckpoint.Open(_temp.Path);
        Assert.That(checkpoint.WeightsPath, Does.EndWith(PaliGemmaCheckpoint.ShardIndexFileName));
        Assert.That(checkpoint.Weights.Names, Is.EquivalentTo(names));
        Assert.That(checkpoint.Weights.Describe(second[0]).FilePath, Does.EndWith("model-00002-of-00002.safetensors"));
        Assert.That(checkpoint.Weights.ReadFloat32(PaliGemmaWeightNames.EmbedTokens), Is.EqualTo(Original(PaliGemmaWeightNames.EmbedTokens)));
        checkpoint.ValidateAll();

        using var store = ShardedTensorStore.Open(_temp.File(PaliGemmaCheckpoint.ShardIndexFileName));
        Assert.That(store.Shards, Has.Count.EqualTo(2));
        Assert.That(store.Metadata["total_size"], Is.EqualTo(_data.Length.ToString()));
    }

    [Test]
    public void ShardIndexErrorsNameTheIndexAndTheTensor()
    {
        var names = TensorNames.ToList();
        _temp.Write("only.safetensors", Rewrite(names.Skip(1)));
        var map = new JsonObject();
        foreach (var n in names) map[n] = "only.safetensors";
        var indexPath = _temp.Write(PaliGemmaCheckpoint.ShardIndexFileName, new JsonObject { ["weight_map"] = map }.ToJsonString());
        var notInShard = Assert.Throws<CheckpointFormatException>(() => ShardedTensorStore.Open(indexPath))!;
        Assert.That(notInShard.Message, Does.Contain("does not contain it").And.Contain(names[0]).And.Contain(indexPath));

        map[names[0]] = "missing.safetensors";
        _temp.Write(PaliGemmaCheckpoint.ShardIndexFileName, new JsonObject { ["weight_map"] = map.DeepClone() }.ToJsonString());
        var missingFile = Assert.Throws<CheckpointFormatException>(() => ShardedTensorStore.Open(indexPath))!;
        Assert.That(missingFile.Message, Does.Contain("missing.safetensors").And.Contain("does not exist").And.Contain(names[0]));

        map[names[0]] = "../escape.safetensors";
        _temp.Write(PaliGemmaCheckpoint.ShardIndexFileName, new JsonObject { ["weight_map"] = map.DeepClone() }.ToJsonString());
        Assert.That(Assert.Throws<CheckpointFormatException>(() => ShardedTensorStore.Open(indexPath))!.Message, Does.Contain("not a plain file name"));
    }

    [Test]
    public void NewerTransformersLayoutIsMappedToCanonicalNames()
    {
        static string ToNewer(string n) =>
            n.StartsWith("language_model.model.") ? "model.language_model." + n["language_model.model.".Length..] : "model." + n;
        var names = TensorNames.ToList();
        // The newer layout stores the tied head explicitly as lm_head.weight (a copy: safetensors forbids shared bytes).
        var builder = new SafetensorsBytes();
        foreach (var n in names) builder.Tensor(ToNewer(n), "F32", Shape(n), Bytes(n));
        builder.Tensor("lm_head.weight", "F32", Shape(PaliGemmaWeightNames.EmbedTokens), Bytes(PaliGemmaWeightNames.EmbedTokens));
        _temp.Write(PaliGemmaCheckpoint.SingleFileName, builder.Build());

        using var checkpoint = PaliGemmaCheckpoint.Open(_temp.Path);
        Assert.That(checkpoint.Layout, Is.EqualTo(CheckpointLayout.TransformersNew));
        Assert.That(checkpoint.Weights.Names, Is.SupersetOf(names));
        Assert.That(checkpoint.Weights.TryDescribe(PaliGemmaWeightNames.LmHead, out _), Is.True);
        Assert.That(checkpoint.UnusedTensors, Is.Empty);
        Assert.That(checkpoint.Weights.ReadFloat32(PaliGemmaWeightNames.FinalNorm), Is.EqualTo(Original(PaliGemmaWeightNames.FinalNorm)));
        checkpoint.ValidateAll();
    }

    [Test]
    public void StoredLmHeadThatDiffersFromTheEmbeddingIsRejected()
    {
        var names = TensorNames.ToList();
        var builder = new SafetensorsBytes();
        foreach (var n in names) builder.Tensor(n, "F32", Shape(n), Bytes(n));
        var head = Bytes(PaliGemmaWeightNames.EmbedTokens);
        head[0] ^= 1;
        builder.Tensor(PaliGemmaWeightNames.LmHead, "F32", Shape(PaliGemmaWeightNames.EmbedTokens), head);
        _temp.Write(PaliGemmaCheckpoint.SingleFileName, builder.Build());

        using var checkpoint = PaliGemmaCheckpoint.Open(_temp.Path);
        var error = Assert.Throws<CheckpointFormatException>(() => checkpoint.ValidateAll())!;
        Assert.That(error.Message, Does.Contain("differs").And.Contain(PaliGemmaWeightNames.LmHead));
    }

    private long[] Shape(string name) => _header[name]!["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();

    private byte[] Bytes(string name)
    {
        var offsets = _header[name]!["data_offsets"]!.AsArray();
        return _data[(int)offsets[0]!.GetValue<long>()..(int)offsets[1]!.GetValue<long>()];
    }

    [Test]
    public void MixedLayoutsAreRejected()
    {
        var names = TensorNames.ToList();
        _temp.Write(PaliGemmaCheckpoint.SingleFileName, Rewrite(names, n => n == names[0] ? "model." + n : n));
        var error = Assert.Throws<CheckpointFormatException>(() => PaliGemmaCheckpoint.Open(_temp.Path).Dispose())!;
        Assert.That(error.Message, Does.Contain("mixes tensor-name layouts"));
    }

    [Test]
    public void MissingTensorIsNamedWithItsExpectedShape()
    {
        const string dropped = "language_model.model.layers.1.pre_feedforward_layernorm.weight";
        _temp.Write(PaliGemmaCheckpoint.SingleFileName, Rewrite(TensorNames.Where(n => n != dropped)));
        var error = Assert.Throws<CheckpointFormatException>(() => PaliGemmaCheckpoint.Open(_temp.Path).Dispose())!;
        Assert.That(error.TensorName, Is.EqualTo(dropped));
        Assert.That(error.Message, Does.Contain("missing").And.Contain($"[{Shape(dropped)[0]}]").And.Contain(PaliGemmaCheckpoint.SingleFileName));
    }

    [Test]
    public void WrongShapeIsNamedWithExpectedAndActual()
    {
        const string victim = "vision_tower.vision_model.encoder.layers.1.mlp.fc1.weight";
        var original = Shape(victim);
        _temp.Write(PaliGemmaCheckpoint.SingleFileName, Rewrite(TensorNames, reshape: (n, s) => n == victim ? [s[1], s[0]] : s));
        var error = Assert.Throws<CheckpointFormatException>(() => PaliGemmaCheckpoint.Open(_temp.Path).Dispose())!;
        Assert.That(error.TensorName, Is.EqualTo(victim));
        Assert.That(error.Message, Does.Contain($"expected [{original[0]}, {original[1]}], found [{original[1]}, {original[0]}]")
            .And.Contain(PaliGemmaCheckpoint.SingleFileName));
    }

    [Test]
    public void NonFiniteWeightIsFoundByValidateAll()
    {
        const string victim = "language_model.model.layers.2.mlp.up_proj.weight";
        _temp.Write(PaliGemmaCheckpoint.SingleFileName, Rewrite(TensorNames, alter: (n, b) =>
        {
            if (n == victim) BitConverter.GetBytes(float.NaN).CopyTo(b, 4 * 7);
            return b;
        }));
        using var checkpoint = PaliGemmaCheckpoint.Open(_temp.Path);
        var error = Assert.Throws<CheckpointFormatException>(() => checkpoint.ValidateAll())!;
        Assert.That(error.Message, Does.Contain("element 7 is NaN or infinite").And.Contain(victim));
    }

    [Test]
    public void Bf16CheckpointReadsBackAsRoundedFloats()
    {
        var builder = new SafetensorsBytes();
        foreach (var n in TensorNames)
        {
            var floats = Original(n);
            var bf16 = new BFloat16[floats.Length];
            BFloat16.FromSingle(floats, bf16);
            builder.Tensor(n, "BF16", Shape(n), bf16.SelectMany(v => BitConverter.GetBytes(v.RawValue)).ToArray());
        }
        _temp.Write(PaliGemmaCheckpoint.SingleFileName, builder.Build());
        using var checkpoint = PaliGemmaCheckpoint.Open(_temp.Path);
        checkpoint.ValidateAll();
        var original = Original(PaliGemmaWeightNames.ProjectorWeight);
        var read = checkpoint.Weights.ReadFloat32(PaliGemmaWeightNames.ProjectorWeight);
        Assert.That(read, Is.EqualTo(original.Select(f => (float)(BFloat16)f).ToArray()));
        Assert.That(checkpoint.Weights.Describe(PaliGemmaWeightNames.ProjectorWeight).DType, Is.EqualTo(TensorDType.BF16));
    }

    [Test]
    public void IntegerWeightsAreRejectedOnOpen()
    {
        const string victim = PaliGemmaWeightNames.FinalNorm;
        var builder = new SafetensorsBytes();
        foreach (var n in TensorNames) builder.Tensor(n, n == victim ? "I32" : "F32", Shape(n), Bytes(n));
        _temp.Write(PaliGemmaCheckpoint.SingleFileName, builder.Build());
        var error = Assert.Throws<CheckpointFormatException>(() => PaliGemmaCheckpoint.Open(_temp.Path).Dispose())!;
        Assert.That(error.Message, Does.Contain("I32").And.Contain(victim));
    }

    [Test]
    public void FolderWithoutWeightsSaysWhatItLookedFor()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => PaliGemmaCheckpoint.Open(_temp.Path).Dispose())!;
        Assert.That(error.Message, Does.Contain(PaliGemmaCheckpoint.SingleFileName).And.Contain(PaliGemmaCheckpoint.ShardIndexFileName));
    }
}
