namespace PaliCuda.Native.Driver;

/// <summary>A CUDA driver call returned something other than <see cref="CuResult.Success"/>.</summary>
public class CudaException : Exception
{
    public CudaException(CuResult result, string call)
        : this(result, call, CudaErrorText.Name(result), CudaErrorText.Description(result), details: null)
    {
    }

    protected CudaException(CuResult result, string call, string errorName, string errorDescription, string? details)
        : base(BuildMessage(result, call, errorName, errorDescription, details))
    {
        Result = result;
        Call = call;
        ErrorName = errorName;
        ErrorDescription = errorDescription;
    }

    /// <summary>The code the driver returned.</summary>
    public CuResult Result { get; }

    /// <summary>The source text of the failing call, e.g. <c>CudaDriverApi.cuInit(0)</c>.</summary>
    public string Call { get; }

    /// <summary>The C name of the code, e.g. <c>CUDA_ERROR_NO_DEVICE</c>.</summary>
    public string ErrorName { get; }

    /// <summary>The driver's sentence for the code.</summary>
    public string ErrorDescription { get; }

    private static string BuildMessage(CuResult result, string call, string name, string description, string? details)
    {
        var message = $"{call} failed with {name} ({(int)result}): {description}";
        return string.IsNullOrWhiteSpace(details) ? message : $"{message}{Environment.NewLine}{details}";
    }
}
