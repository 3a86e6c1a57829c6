namespace PaliCuda.Graph;

/// <summary>Index of a buffer inside its <see cref="ComputeGraph"/>.</summary>
public readonly record struct BufferId(int Index)
{
    public override string ToString() => $"#{Index}";
}
