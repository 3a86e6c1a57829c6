namespace PaliCuda.Emulation;

/// <summary>
/// Computes, for each branch, where its diverged lanes reconverge: the first instruction of the branch
/// block's immediate post-dominator (or -1 when that is the kernel's exit). Post-dominators come from the
/// Cooper–Harvey–Kennedy iterative algorithm run on the reversed control-flow graph with a virtual exit node.
/// </summary>
internal static class ControlFlow
{
    public static void ComputeReconvergence(DecodedInstruction[] code)
    {
        int n = code.Length;
        if (n == 0) return;

        // Basic-block leaders: entry, branch targets, and the instruction after any branch or exit.
        var leader = new bool[n + 1];
        leader[0] = true;
        for (int i = 0; i < n; i++)
        {
            if (code[i].Op == Opcode.Bra) { leader[code[i].Target] = true; leader[i + 1] = true; }
            else if (code[i].Op == Opcode.Exit) leader[i + 1] = true;
        }
        var blockOf = new int[n];
        var starts = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (leader[i]) starts.Add(i);
            blockOf[i] = starts.Count - 1;
        }
        int blocks = starts.Count;
        int exitNode = blocks;
        var successors = new List<int>[blocks + 1];
        var predecessorsInReverse = new List<int>[blocks + 1]; // successors in the original graph
        for (int b = 0; b <= blocks; b++) { successors[b] = new List<int>(); predecessorsInReverse[b] = new List<int>(); }
        for (int b = 0; b < blocks; b++)
        {
            int last = (b + 1 < blocks ? starts[b + 1] : n) - 1;
            ref var ins = ref code[last];
            bool unconditional = ins.Guard < 0;
            if (ins.Op == Opcode.Exit)
            {
                successors[b].Add(exitNode);
                if (!unconditional) successors[b].Add(last + 1 < n ? blockOf[last + 1] : exitNode);
            }
            else if (ins.Op == Opcode.Bra)
            {
                // A label after the last instruction is a branch off the end: no block, so it leads to the exit (at run
                // time such a branch faults as running past the kernel's end).
                successors[b].Add(ins.Target < n ? blockOf[ins.Target] : exitNode);
                if (!unconditional) successors[b].Add(last + 1 < n ? blockOf[last + 1] : exitNode);
            }
            else successors[b].Add(last + 1 < n ? blockOf[last + 1] : exitNode);
        }

        // Reverse graph: edges succ -> b. Post-order of the reverse graph from the exit node.
        var reverseSucc = new List<int>[blocks + 1];
        for (int b = 0; b <= blocks; b++) reverseSucc[b] = new List<int>();
        for (int b = 0; b < blocks; b++) foreach (var s in successors[b]) reverseSucc[s].Add(b);
        var order = new List<int>();
        var visited = new bool[blocks + 1];
        var stack = new Stack<(int Node, int Next)>();
        stack.Push((exitNode, 0));
        visited[exitNode] = true;
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < reverseSucc[node].Count)
            {
                stack.Push((node, next + 1));
                int m = reverseSucc[node][next];
                if (!visited[m]) { visited[m] = true; stack.Push((m, 0)); }
            }
            else order.Add(node);
        }
        var postIndex = new int[blocks + 1];
        Array.Fill(postIndex, -1);
        for (int i = 0; i < order.Count; i++) postIndex[order[i]] = i;

        var ipdom = new int[blocks + 1];
        Array.Fill(ipdom, -1);
        ipdom[exitNode] = exitNode;
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = order.Count - 1; i >= 0; i--)
            {
                int b = order[i];
                if (b == exitNode) continue;
                int newIdom = -1;
                foreach (var s in successors[b])
                {
                    if (ipdom[s] == -1) continue;
                    newIdom = newIdom == -1 ? s : Intersect(s, newIdom);
                }
                if (newIdom != -1 && ipdom[b] != newIdom) { ipdom[b] = newIdom; changed = true; }
            }
        }

        int Intersect(int a, int b)
        {
            while (a != b)
            {
                while (postIndex[a] < postIndex[b]) a = ipdom[a];
                while (postIndex[b] < postIndex[a]) b = ipdom[b];
            }
            return a;
        }

        for (int i = 0; i < n; i++)
        {
            if (code[i].Op != Opcode.Bra) continue;
            int p = ipdom[blockOf[i]];
            // Blocks that cannot reach the exit (infinite loops) have no post-dominator: reconverge at exit.
            code[i].Reconverge = p == -1 || p == exitNode ? -1 : starts[p];
        }
    }
}
