using NUnit.Framework;
using PaliCuda.Kernels;

namespace PaliCuda.Tests.Kernels;

/// <summary>The entry parser on the declaration forms nvcc and clang emit.</summary>
public class PtxEntryParserTests
{
    [Test]
    public void ReadsAnEntrySpreadOverSeveralLines()
    {
        const string ptx = """
            .version 7.8
            .target sm_80
            // a comment with .entry fake( in it
            .visible .entry k(
            	.param .u64 k_param_0,   /* pointer */
            	.param .f32 k_param_1,
            	.param .u32 k_param_2
            )
            {
            	ret;
            }
            """;
        var entry = PtxEntryParser.Parse(ptx).Single();
        Assert.That(entry.Name, Is.EqualTo("k"));
        Assert.That(entry.Visible, Is.True);
        Assert.That(entry.Parameters, Is.EqualTo(new[] { PtxParam.U64, PtxParam.F32, PtxParam.U32 }));
        Assert.That(entry.Signature, Is.EqualTo("k(u64, f32, u32)"));
    }

    [Test]
    public void ReadsByValueStructsAsAlignedByteArrays()
    {
        const string ptx = ".visible .entry s(.param .align 8 .b8 s_param_0[24], .param .s32 s_param_1)\n{\nret;\n}";
        var entry = PtxEntryParser.Parse(ptx).Single();
        Assert.That(entry.Parameters, Is.EqualTo(new[] { PtxParam.ByValue(8, 24), PtxParam.S32 }));
        Assert.That(entry.Parameters[0].SizeInBytes, Is.EqualTo(24));
        Assert.That(entry.Signature, Is.EqualTo("s(align 8 b8[24], s32)"));
    }

    [Test]
    public void ReadsEntriesWithoutParameters()
    {
        const string ptx = ".visible .entry a()\n{\nret;\n}\n.entry b\n{\nret;\n}\n";
        var entries = PtxEntryParser.Parse(ptx);
        Assert.That(entries.Select(e => e.Signature), Is.EqualTo(new[] { "a()", "b()" }));
        Assert.That(entries[1].Visible, Is.False);
    }

    [Test]
    public void IgnoresPointerAttributes()
    {
        // clang-style: the alignment after .ptr describes the pointee, not the parameter.
        const string ptx = ".visible .entry p(.param .u64 .ptr .global .align 16 p_param_0)\n{\nret;\n}";
        Assert.That(PtxEntryParser.Parse(ptx).Single().Parameters, Is.EqualTo(new[] { PtxParam.U64 }));
    }

    [Test]
    public void IgnoresDeviceFunctions()
    {
        const string ptx = ".func (.param .b32 r) f(.param .b32 x)\n{\nret;\n}\n.visible .entry e(.param .u64 y)\n{\nret;\n}";
        Assert.That(PtxEntryParser.Parse(ptx).Select(e => e.Name), Is.EqualTo(new[] { "e" }));
    }

    [TestCase(".visible .entry k(.param .u64 a,\n.param .u32 b\n{", 1, "not closed")]
    [TestCase(".visible .entry k(.param .x64 a)", 1, "unexpected '.x64'")]
    [TestCase(".visible .entry k(\n.param .u64)", 2, "no parameter name")]
    [TestCase(".visible .entry k(.param .u64 a, )", 1, "expected a '.param'")]
    [TestCase(".visible .entry k(.param .align .b8 a[4])", 1, ".align")]
    [TestCase(".visible .entry k(.param .b8 a[0])", 1, "after the parameter name")]
    [TestCase(".visible .entry (", 1, "not followed by a kernel name")]
    public void MalformedDeclarationsNameTheSourceAndLine(string ptx, int line, string fragment)
    {
        var error = Assert.Throws<PtxParseException>(() => PtxEntryParser.Parse(ptx, "bad.ptx"));
        Assert.That(error!.PtxSource, Is.EqualTo("bad.ptx"));
        Assert.That(error.Line, Is.EqualTo(line));
        Assert.That(error.Message, Does.Contain(fragment).And.StartWith("bad.ptx, line "));
    }
}
