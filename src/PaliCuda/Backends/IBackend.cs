using PaliCuda.Graph;

namespace PaliCuda.Backends;

/// <summary>
/// The op set every backend (CPU, emulated GPU, CUDA) implements, one method per graph op. Semantics are documented
/// on the op records in <c>PaliCuda.Graph.Ops</c>. Tensors are float32 unless stated; index tensors are I32.
/// Ops may run asynchronously; <see cref="Read(DeviceTensor, Span{float})"/> and <see cref="Synchronize"/> wait.
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>Human-readable device name (e.g. "cpu (2 threads, Vector&lt;float&gt; x8)").</summary>
    string Name { get; }

    /// <summary>
    /// How this backend stores graph tensors declared F32 (activations, inputs, state): F32 on the CPU, BF16 on GPUs.
    /// Ops for which <see cref="KeepsFloat32"/> is true get F32 storage for every float tensor they touch.
    /// </summary>
    BufferDType FloatStorage => BufferDType.F32;

    /// <summary>True when <paramref name="op"/>'s float tensors must stay F32 whatever <see cref="FloatStorage"/> is (e.g. logits).</summary>
    bool KeepsFloat32(Graph.Ops.GraphOp op) => false;

    /// <summary>Announces the total float count of the weights about to be uploaded, so a backend can place them in one arena.</summary>
    void ReserveWeights(long totalElements) { }

    /// <summary>As <see cref="ReserveWeights(long)"/>, also saying how many weights will come (for per-weight alignment).</summary>
    void ReserveWeights(long totalElements, int weightCount) => ReserveWeights(totalElements);

    /// <summary>
    /// Announces the weights about to be uploaded (names and shapes), so a backend can size one arena for the form it
    /// stores them in (bf16, or packed under a quantization plan). The default announces their element count.
    /// </summary>
    void ReserveWeights(IReadOnlyList<BufferDesc> weights) => ReserveWeights(weights.Sum(d => d.ElementCount), weights.Count);

    /// <summary>
    /// Offers the weight format plan of the checkpoint about to be uploaded. A backend that runs packed formats itself
    /// returns true and from then on stores the plan's packed weights packed (taken from a quantized checkpoint as they
    /// are, or quantized at upload from the float weights it is given). One that does not returns false; it is then given
    /// weights already reconstructed in float32 (<see cref="Quantization.QuantizedReferenceStore"/>).
    /// </summary>
    bool AcceptQuantizationPlan(Quantization.QuantizationPlan plan) => false;

    /// <summary>
    /// The graph this backend runs in place of <paramref name="graph"/> (for example with op sequences fused into one
    /// kernel): same buffer ids and names, results equal to <paramref name="graph"/>'s up to the backend's rounding.
    /// Buffers in <paramref name="keepAlive"/> must still be written. The default runs the graph as recorded.
    /// </summary>
    ComputeGraph Prepare(ComputeGraph graph, IReadOnlySet<BufferId> keepAlive, WeightSet weights) => graph;

    /// <summary>
    /// Records the device work <paramref name="issue"/> queues (without running it) into a replayable graph, or returns
    /// null when this backend cannot capture (the CPU runs ops as they are called).
    /// </summary>
    IReplayableWork? Capture(Action issue) => null;

    /// <summary>Zero-filled memory of at least <paramref name="bytes"/> bytes.</summary>
    DeviceMemory Allocate(long bytes, string label);
    /// <summary>Places a weight on the device; the backend may keep <paramref name="data"/> itself (no copy).</summary>
    DeviceTensor UploadWeight(string name, float[] data, int[] shape);
    /// <summary>
    /// Places the checkpoint tensor <paramref name="name"/> of <paramref name="store"/> on the device. A backend may
    /// stream it from the store's raw bytes; the default reads it as float32.
    /// </summary>
    DeviceTensor UploadWeight(string name, Checkpoint.ITensorStore store, int[] shape) => UploadWeight(name, store.ReadFloat32(name), shape);
    void Write(DeviceTensor destination, ReadOnlySpan<float> source);
    void Write(DeviceTensor destination, ReadOnlySpan<int> source);
    void Read(DeviceTensor source, Span<float> destination);
    void Read(DeviceTensor source, Span<int> destination);
    void Synchronize();

    void MatMul(DeviceTensor x, DeviceTensor w, DeviceTensor? bias, DeviceTensor y);
    void LayerNorm(DeviceTensor x, DeviceTensor gamma, DeviceTensor beta, float eps, DeviceTensor y);
    void RmsNorm(DeviceTensor x, DeviceTensor weight, float eps, DeviceTensor y);
    void GeluTanh(DeviceTensor x, DeviceTensor y);
    void GeGlu(DeviceTensor gate, DeviceTensor up, DeviceTensor y);
    void Add(DeviceTensor a, DeviceTensor b, DeviceTensor y);
    void Scale(DeviceTensor x, float factor, bool divide, DeviceTensor y);
    void SoftCap(DeviceTensor x, float cap, DeviceTensor y);
    void Rope(DeviceTensor x, DeviceTensor cachePositions, int positionOffset, int numHeads, int headDim, float theta, DeviceTensor y);
    void Attention(DeviceTensor q, DeviceTensor k, DeviceTensor v, DeviceTensor? queryPositions, DeviceTensor? prefixLength, AttentionParams p, DeviceTensor y);
    void KvCacheWrite(DeviceTensor source, DeviceTensor cachePositions, DeviceTensor cache);
    void EmbeddingGather(DeviceTensor table, DeviceTensor ids, DeviceTensor y);
    void ScatterImageFeatures(DeviceTensor embeds, DeviceTensor ids, DeviceTensor features, int imageTokenIndex, DeviceTensor y);
    void Patchify(DeviceTensor pixels, int patchSize, DeviceTensor y);
    void SliceRows(DeviceTensor x, int start, DeviceTensor y);
    void GatherLastRow(DeviceTensor x, DeviceTensor length, DeviceTensor y);
    void ArgMax(DeviceTensor x, int limit, DeviceTensor y);
    /// <summary>
    /// y[r] = the token <see cref="Graph.TokenSampler"/> draws from x[r, 0 : limit) with the controls of row r
    /// (F32 [rows, 4] = u, temperature, top-k, top-p: <see cref="Graph.SampleControls"/>), read when the op runs.
    /// </summary>
    void Sample(DeviceTensor x, int limit, DeviceTensor controls, DeviceTensor y);
}
