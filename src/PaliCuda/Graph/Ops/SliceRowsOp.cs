using PaliCuda.Backends;

namespace PaliCuda.Graph.Ops;

/// <summary>Y = X[Start : Start + rows(Y), :] (e.g. the last prompt row before the LM head).</summary>
public sealed record SliceRowsOp(BufferId X, int Start, BufferId Y) : GraphOp
{
    public override IReadOnlyList<BufferId> Inputs => [X];
    public override IReadOnlyList<BufferId> Outputs => [Y];
    public override string Kind => "SliceRows";
    public override void Execute(IBackend backend, Func<BufferId, DeviceTensor> t) => backend.SliceRows(t(X), Start, t(Y));
}
