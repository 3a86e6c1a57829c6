using CsCheck;
using NUnit.Framework;
using PaliCuda.Checkpoint;
using PaliCuda.Config;
using PaliCuda.Imaging;
using PaliCuda.Tests.Checkpoint;
using PaliCuda.Text;

namespace PaliCuda.Tests.Hostile;

/// <summary>
/// A cheap, always-run cousin of the AFL fuzzing (tests/PaliCuda.Fuzz): random mutations of valid files go through each
/// reader, and only input errors (<see cref="PaliCudaInputException"/>) may come out. CsCheck shrinks any other
/// exception to a minimal list of mutations and prints it.
/// </summary>
public class MutationPropertyTests
{
    /// <summary>Seconds per reader: enough for thousands of cases, little enough for every test run.</summary>
    private const int SecondsPerReader = 2;

    private TempFolder _temp = null!;

    [SetUp] public void CreateFolder() => _temp = TestPaths.NewTempFolder();
    [TearDown] public void DeleteFolder() => _temp.Dispose();

    /// <summary>One edit: 0 overwrite a byte, 1 set a byte to a boundary value, 2 truncate, 3 insert a byte, 4 repeat a slice.</summary>
    private readonly record struct Mutation(int Kind, int Position, byte Value);

    private static readonly byte[] Boundary = [0x00, 0xFF, 0x7F, 0x80, (byte)'"', (byte)'9', (byte)'-', (byte)'[', (byte)'{', (byte)','];

    private static readonly Gen<Mutation[]> Mutations =
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, int.MaxValue], Gen.Byte, (k, p, v) => new Mutation(k, p, v)).Array[1, 6];

    private static byte[] Apply(byte[] original, Mutation[] mutations)
    {
        var bytes = new List<byte>(original);
        foreach (var m in mutations)
        {
            if (bytes.Count == 0) break;
            int at = m.Position % bytes.Count;
            switch (m.Kind)
            {
                case 0: bytes[at] = m.Value; break;
                case 1: bytes[at] = Boundary[m.Value % Boundary.Length]; break;
                case 2: bytes.RemoveRange(at, bytes.Count - at); break;
                case 3: bytes.Insert(at, m.Value); break;
                default: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(1 + m.Value % 16, bytes.Count - at))); break;
            }
        }
        return bytes.ToArray();
    }

    /// <summary>Runs <paramref name="read"/> on mutations of <paramref name="valid"/>; input errors are the allowed outcome.</summary>
    private static void OnlyInputErrorsEscape(byte[] valid, Action<byte[]> read) =>
        Mutations.Sample(mutations =>
        {
            try { read(Apply(valid, mutations)); }
            catch (PaliCudaInputException) { }
        }, time: SecondsPerReader, threads: 1);

    [Test]
    public void MutatedSafetensors()
    {
        var valid = new SafetensorsBytes().F32("a.weight", 2, 3).Tensor("b", "BF16", [4], new byte[8]).Tensor("c", "F16", [1, 2], new byte[4])
            .Metadata("format", "pt").Build();
        var path = _temp.File("m.safetensors");
        OnlyInputErrorsEscape(valid, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            using var file = SafetensorsFile.Open(path);
            foreach (var name in file.Names) _ = file.ReadFloat32(name);
        });
    }

    [Test]
    public void MutatedConfigs()
    {
        var path = _temp.File("config.json");
        foreach (var name in new[] { "config.json", "generation_config.json" })
            OnlyInputErrorsEscape(File.ReadAllBytes(TestPaths.Fixture("tiny-pg2", name)), bytes =>
            {
                File.WriteAllBytes(path, bytes);
                try { _ = PaliGemmaConfigReader.Read(path); }
                finally
                {
                    try { _ = GenerationConfigReader.Read(path); } catch (ConfigFormatException) { }
                }
            });
    }

    [Test]
    public void MutatedPngs()
    {
        var processor = new SiglipImageProcessor(16);
        OnlyInputErrorsEscape(File.ReadAllBytes(TestPaths.Fixture("image-preprocess", "rgba_64x48.png")),
            bytes => _ = processor.Preprocess(RgbImageLoader.Decode(bytes, "mutated.png")));
    }

    [Test]
    public void MutatedJpegs()
    {
        // The Pillow fixture (4:2:0) goes through the baseline decoder; mutations reach its marker parsing, Huffman
        // decoding and restart handling, and the ones that turn it into another JPEG kind reach ImageSharp's fallback.
        var processor = new SiglipImageProcessor(16);
        OnlyInputErrorsEscape(File.ReadAllBytes(TestPaths.Fixture("image-preprocess", "jpeg_50x70.jpg")),
            bytes => _ = processor.Preprocess(RgbImageLoader.Decode(bytes, "mutated.jpg")));
    }

    [Test]
    public void MutatedTokenizerModels()
    {
        OnlyInputErrorsEscape(File.ReadAllBytes(TestPaths.Fixture("tokenizer", "tokenizer.model")), bytes =>
        {
            var tokenizer = PaliGemmaTokenizer.FromSentencePiece(bytes, "mutated.model");
            _ = tokenizer.Decode(tokenizer.Encode("caption en <loc0001> détecte 猫"), skipSpecialTokens: true);
        });
    }
}
