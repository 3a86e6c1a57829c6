namespace PaliCuda;

/// <summary>
/// The base of every error caused by what a caller handed the engine (a checkpoint, config, tokenizer, image, prompt,
/// PTX text or model input) rather than by a bug or the device. The message always says what is wrong and where
/// (file, field, tensor or position), so it can be shown to a user as it is. Catching this one type is enough to
/// tell "bad input" from everything else; the engine stays usable after any of them.
/// </summary>
public abstract class PaliCudaInputException : Exception
{
    protected PaliCudaInputException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
