namespace PaliCuda.Native.Blas;

/// <summary><c>libraryPropertyType</c> for <c>cublasGetProperty</c>.</summary>
internal enum LibraryPropertyType
{
    MajorVersion = 0,
    MinorVersion = 1,
    PatchLevel = 2,
}
