using System.Runtime.InteropServices;

namespace PaliCuda.Native.Interop;

/// <summary>The outcome of loading one native library: the handle and where it came from, or why it could not be loaded.</summary>
internal sealed class LoadedNativeLibrary
{
    private LoadedNativeLibrary(nint handle, NativeLibraryCandidate? source, string failureReason)
    {
        Handle = handle;
        Source = source;
        FailureReason = failureReason;
    }

    /// <summary>The OS handle, or zero when nothing loaded.</summary>
    public nint Handle { get; }

    /// <summary>The candidate that loaded, or null.</summary>
    public NativeLibraryCandidate? Source { get; }

    /// <summary>Why nothing loaded; empty when loaded.</summary>
    public string FailureReason { get; }

    public bool IsLoaded => Handle != 0;

    public static LoadedNativeLibrary Loaded(nint handle, NativeLibraryCandidate source) => new(handle, source, string.Empty);

    public static LoadedNativeLibrary Missing(string reason) => new(0, null, reason);

    /// <summary>The address of an optional export, or zero when this library version lacks it.</summary>
    public nint TryGetExport(string name) =>
        IsLoaded && NativeLibrary.TryGetExport(Handle, name, out var address) ? address : 0;
}
