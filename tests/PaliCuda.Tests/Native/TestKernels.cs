namespace PaliCuda.Tests.Native;

/// <summary>
/// Hand-written test kernels as PTX, generated once with
/// <c>nvcc -ccbin clang-14 -ptx -arch=compute_80 kernels.cu</c> from:
/// <code>
/// extern "C" __global__ void add(const float* a, const float* b, float* c, int n)
/// { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i &lt; n) c[i] = a[i] + b[i]; }
/// struct ScaleParams { float alpha; int n; };
/// extern "C" __global__ void scale_add(const float* x, float* y, ScaleParams p)
/// { int i = blockIdx.x * blockDim.x + threadIdx.x; if (i &lt; p.n) y[i] = p.alpha * x[i] + y[i]; }
/// </code>
/// PTX 7.8 for sm_80 JIT-compiles on any device of compute capability 8.0 or newer.
/// </summary>
internal static class TestKernels
{
    public const string AddName = "add";
    public const string ScaleAddName = "scale_add";

    public const string Ptx = """

        .version 7.8
        .target sm_80
        .address_size 64

        	// .globl	add

        .visible .entry add(
        	.param .u64 add_param_0,
        	.param .u64 add_param_1,
        	.param .u64 add_param_2,
        	.param .u32 add_param_3
        )
        {
        	.reg .pred 	%p<2>;
        	.reg .f32 	%f<4>;
        	.reg .b32 	%r<6>;
        	.reg .b64 	%rd<11>;

        	ld.param.u64 	%rd1, [add_param_0];
        	ld.param.u64 	%rd2, [add_param_1];
        	ld.param.u64 	%rd3, [add_param_2];
        	ld.param.u32 	%r2, [add_param_3];
        	mov.u32 	%r3, %ctaid.x;
        	mov.u32 	%r4, %ntid.x;
        	mov.u32 	%r5, %tid.x;
        	mad.lo.s32 	%r1, %r3, %r4, %r5;
        	setp.ge.s32 	%p1, %r1, %r2;
        	@%p1 bra 	$L__BB0_2;

        	cvta.to.global.u64 	%rd4, %rd1;
        	mul.wide.s32 	%rd5, %r1, 4;
        	add.s64 	%rd6, %rd4, %rd5;
        	cvta.to.global.u64 	%rd7, %rd2;
        	add.s64 	%rd8, %rd7, %rd5;
        	ld.global.f32 	%f1, [%rd8];
        	ld.global.f32 	%f2, [%rd6];
        	add.f32 	%f3, %f2, %f1;
        	cvta.to.global.u64 	%rd9, %rd3;
        	add.s64 	%rd10, %rd9, %rd5;
        	st.global.f32 	[%rd10], %f3;

        $L__BB0_2:
        	ret;

        }
        	// .globl	scale_add
        .visible .entry scale_add(
        	.param .u64 scale_add_param_0,
        	.param .u64 scale_add_param_1,
        	.param .align 4 .b8 scale_add_param_2[8]
        )
        {
        	.reg .pred 	%p<2>;
        	.reg .f32 	%f<5>;
        	.reg .b32 	%r<6>;
        	.reg .b64 	%rd<8>;

        	ld.param.u64 	%rd1, [scale_add_param_0];
        	ld.param.u64 	%rd2, [scale_add_param_1];
        	ld.param.u32 	%r2, [scale_add_param_2+4];
        	ld.param.f32 	%f1, [scale_add_param_2];
        	mov.u32 	%r3, %ntid.x;
        	mov.u32 	%r4, %ctaid.x;
        	mov.u32 	%r5, %tid.x;
        	mad.lo.s32 	%r1, %r4, %r3, %r5;
        	setp.ge.s32 	%p1, %r1, %r2;
        	@%p1 bra 	$L__BB1_2;

        	cvta.to.global.u64 	%rd3, %rd2;
        	cvta.to.global.u64 	%rd4, %rd1;
        	mul.wide.s32 	%rd5, %r1, 4;
        	add.s64 	%rd6, %rd4, %rd5;
        	ld.global.f32 	%f2, [%rd6];
        	add.s64 	%rd7, %rd3, %rd5;
        	ld.global.f32 	%f3, [%rd7];
        	fma.rn.f32 	%f4, %f1, %f2, %f3;
        	st.global.f32 	[%rd7], %f4;

        $L__BB1_2:
        	ret;

        }

        """;

    /// <summary>Syntactically broken PTX: the JIT must reject it and say why in its error log.</summary>
    public const string BrokenPtx = """
        .version 7.8
        .target sm_80
        .address_size 64
        .visible .entry broken()
        {
            this_is_not_an_instruction %r1;
            ret;
        }
        """;
}

/// <summary>Host mirror of the kernel's <c>ScaleParams</c>: float then int, 8 bytes, 4-byte aligned.</summary>
internal struct ScaleParams
{
    public float Alpha;
    public int Count;
}
