namespace PaliCuda.Graph;

/// <summary>
/// Runtime data fed to a graph is invalid (token id outside the vocabulary, wrong image-token count, cache position
/// beyond the KV-cache capacity, wrong input length). The message names the buffer and the offending value.
/// </summary>
public sealed class ModelInputException(string message) : PaliCudaInputException(message);
