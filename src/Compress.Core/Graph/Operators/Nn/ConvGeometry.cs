namespace Compress.Graph.Operators;

/// <summary>
/// The spatial attributes shared by Conv, ConvTranspose and the pools: kernel, strides, dilations and the padding
/// (explicit <c>pads</c> as [x1_begin, x2_begin, ..., x1_end, x2_end, ...] or <c>auto_pad</c>).
/// </summary>
internal sealed class ConvGeometry
{
    private ConvGeometry(long[] kernel, long[] strides, long[] dilations, long[]? pads, string autoPad)
    {
        Kernel = kernel;
        Strides = strides;
        Dilations = dilations;
        Pads = pads;
        AutoPad = autoPad;
    }

    public long[] Kernel { get; }

    public long[] Strides { get; }

    public long[] Dilations { get; }

    /// <summary>Explicit pads, or null when <see cref="AutoPad"/> decides them from the input size.</summary>
    public long[]? Pads { get; }

    public string AutoPad { get; }

    public int SpatialRank => Kernel.Length;

    /// <summary>Reads the attributes; <paramref name="kernel"/> is used when <c>kernel_shape</c> is absent (Conv infers it from W).</summary>
    public static ConvGeometry Read(OnnxNodeInfo node, long[]? kernel)
    {
        var k = node.Ints("kernel_shape") ?? kernel ?? throw node.Invalid("kernel_shape is required");
        var rank = k.Length;
        var strides = node.Ints("strides") ?? Enumerable.Repeat(1L, rank).ToArray();
        var dilations = node.Ints("dilations") ?? Enumerable.Repeat(1L, rank).ToArray();
        var autoPad = node.String("auto_pad", "NOTSET");
        var pads = node.Ints("pads");
        if (strides.Length != rank || dilations.Length != rank || (pads is not null && pads.Length != 2 * rank))
        {
            throw node.Invalid($"strides, dilations and pads must match the kernel's {rank} spatial dimensions");
        }

        if (autoPad is not ("NOTSET" or "SAME_UPPER" or "SAME_LOWER" or "VALID"))
        {
            throw node.Invalid($"auto_pad '{autoPad}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        }

        if (autoPad == "NOTSET")
        {
            pads ??= new long[2 * rank];
        }
        else
        {
            pads = autoPad == "VALID" ? new long[2 * rank] : null;
        }

        return new ConvGeometry(k, strides, dilations, pads, autoPad);
    }

    /// <summary>The pads for an input of the given spatial size (SAME_* computed as ONNX specifies).</summary>
    public long[] PadsFor(IReadOnlyList<long> spatial)
    {
        if (Pads is not null)
        {
            return Pads;
        }

        var rank = SpatialRank;
        var pads = new long[2 * rank];
        for (var i = 0; i < rank; i++)
        {
            var output = (spatial[i] + Strides[i] - 1) / Strides[i];
            var effectiveKernel = ((Kernel[i] - 1) * Dilations[i]) + 1;
            var total = Math.Max(0, ((output - 1) * Strides[i]) + effectiveKernel - spatial[i]);
            var small = total / 2;
            var large = total - small;
            pads[i] = AutoPad == "SAME_UPPER" ? small : large;
            pads[i + rank] = AutoPad == "SAME_UPPER" ? large : small;
        }

        return pads;
    }

    /// <summary>Torch's F.pad order (last dimension first: [xN_begin, xN_end, ..., x1_begin, x1_end]).</summary>
    public static long[] TorchPadOrder(long[] pads)
    {
        var rank = pads.Length / 2;
        var result = new long[pads.Length];
        for (var i = 0; i < rank; i++)
        {
            result[2 * i] = pads[rank - 1 - i];
            result[(2 * i) + 1] = pads[(2 * rank) - 1 - i];
        }

        return result;
    }

    /// <summary>True when begin and end pads agree in every dimension (so the op's own symmetric padding can be used).</summary>
    public static bool IsSymmetric(long[] pads)
    {
        var rank = pads.Length / 2;
        for (var i = 0; i < rank; i++)
        {
            if (pads[i] != pads[i + rank])
            {
                return false;
            }
        }

        return true;
    }
}
