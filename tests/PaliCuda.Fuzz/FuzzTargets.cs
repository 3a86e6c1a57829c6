using System.Text;
using PaliCuda.Checkpoint;
using PaliCuda.Config;
using PaliCuda.Devices;
using PaliCuda.Emulation;
using PaliCuda.Imaging;
using PaliCuda.Kernels;
using PaliCuda.Text;

namespace PaliCuda.Fuzz;

/// <summary>
/// One harness per parser of untrusted input. Each feeds the fuzzer's bytes through the same public entry point a
/// user's file reaches, then exercises what a later stage would do with the result, so a reader that accepts garbage
/// and leaves it for the next stage to trip over is found too.
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["safetensors"] = Safetensors,
        ["index"] = ShardIndex,
        ["config"] = Config,
        ["tokenizer"] = Tokenizer,
        ["image"] = Image,
        ["ptx"] = Ptx,
        ["emuptx"] = EmulatorPtx,
    };

    /// <summary>Runs <paramref name="target"/>; input errors (the documented contract) are swallowed, and so are
    /// <see cref="EmulatorException"/>s, which the <c>emuptx</c> target may only raise from a launch (a kernel's own fault
    /// or its instruction budget); anything else escapes.</summary>
    public static void RunOnce(Action<byte[]> target, byte[] data)
    {
        try
        {
            target(data);
        }
        catch (PaliCudaInputException)
        {
        }
        catch (EmulatorException e) when (e.Data.Contains(LaunchFault))
        {
        }
    }

    private const string LaunchFault = "palicuda-fuzz-launch";

    // Files are written to one scratch folder per process: the readers under test take paths, as users give them.
    private static readonly string Scratch = Directory.CreateTempSubdirectory("palicuda-fuzz-").FullName;

    private static string WriteScratch(string name, byte[] data)
    {
        var path = Path.Combine(Scratch, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    private static void Safetensors(byte[] data)
    {
        using var file = SafetensorsFile.Open(WriteScratch("model.safetensors", data));
        var ends = new float[2];
        foreach (var name in file.Names)
        {
            var info = file.Describe(name);
            // Small tensors are converted fully; big ones only at their ends, to keep executions fast.
            if (info.ElementCount <= 4096) _ = file.ReadFloat32(name);
            else if (info.DType.SizeInBytes() > 0)
            {
                file.ReadFloat32(name, 0, ends);
                file.ReadFloat32(name, info.ElementCount - 2, ends);
            }
        }
    }

    private static void ShardIndex(byte[] data)
    {
        // The shard the seeds name exists and is valid, so the fuzzer gets past the index into shard checks.
        WriteScratch("shard-1.safetensors", SeedShard.Value);
        using var store = ShardedTensorStore.Open(WriteScratch("model.safetensors.index.json", data));
        foreach (var name in store.Names) _ = store.ReadFloat32(name);
    }

    private static readonly Lazy<byte[]> SeedShard = new(() =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "seeds-support", "shard-1.safetensors")));

    private static void Config(byte[] data)
    {
        var path = WriteScratch("config.json", data);
        try
        {
            _ = PaliGemmaConfigReader.Read(path);
        }
        finally
        {
            // Both readers see every input: they share the JSON front end but not the field checks.
            try { _ = GenerationConfigReader.Read(path); }
            catch (ConfigFormatException) { }
        }
    }

    private static void Tokenizer(byte[] data)
    {
        var tokenizer = PaliGemmaTokenizer.FromSentencePieceFile(WriteScratch("tokenizer.model", data));
        var ids = tokenizer.Encode("caption en\n<loc0001> détecte 猫 🐈");
        _ = tokenizer.Decode(ids, skipSpecialTokens: false);
        _ = tokenizer.Decode(ids, skipSpecialTokens: true);
        var prompt = new PaliGemmaPrompt(tokenizer, imageTokenCount: 4, imageTokenId: tokenizer.VocabSize - 1);
        _ = prompt.BuildInputIds("detect cat", maxTokens: 64);
    }

    // Small limits keep each execution fast; the limit checks themselves are what the fuzzer should reach.
    // Lazy because instrumented engine code must not run before SharpFuzz has set up AFL's shared memory.
    private static readonly Lazy<SiglipImageProcessor> Processor = new(() => new SiglipImageProcessor(32, new ImageLoadOptions
    {
        Limits = new ImageLimits { MaxWidth = 2048, MaxHeight = 2048, MaxPixels = 1 << 20, MaxFileBytes = 1 << 20 },
    }));

    private static void Image(byte[] data)
    {
        var processor = Processor.Value;
        var image = RgbImageLoader.Load(WriteScratch("image.png", data), processor.Options);
        _ = processor.Preprocess(image);
    }

    private static void Ptx(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        foreach (var entry in PtxEntryParser.Parse(text, "fuzz.ptx"))
            _ = entry.ToString();
    }

    /// <summary>Small enough that a looping kernel costs a few milliseconds; every seed kernel on one thread fits.</summary>
    private const long EmulatorInstructionBudget = 20_000;
    /// <summary>Bytes behind each pointer argument: room for a kernel that indexes a few elements.</summary>
    private const int PointerArgumentBytes = 256;

    private static void EmulatorPtx(byte[] data)
    {
        var text = Encoding.UTF8.GetString(data);
        var device = new EmulatedDevice(new EmulatorOptions { MaxWarpInstructions = EmulatorInstructionBudget });
        using var module = device.LoadModule("fuzz", text);
        foreach (var name in module.FunctionNames)
        {
            var function = module.GetFunction(name);
            // Launched on one thread with zeroed arguments (pointers to zeroed buffers): the budget bounds a loop, and
            // whatever the kernel does wrong must come back as an EmulatorException from the launch, nothing else.
            var arguments = new KernelArguments();
            foreach (var parameter in function.Parameters)
            {
                if (parameter.Size == sizeof(ulong))
                {
                    var buffer = device.Allocate(PointerArgumentBytes);
                    device.Memset(buffer, 0);
                    arguments.Add(buffer);
                }
                else arguments.AddBytes(new byte[parameter.Size]);
            }
            try
            {
                device.Launch(function, new LaunchConfig(1, 1, 0), arguments);
            }
            catch (EmulatorException e)
            {
                e.Data[LaunchFault] = true;
                throw;
            }
        }
    }
}
