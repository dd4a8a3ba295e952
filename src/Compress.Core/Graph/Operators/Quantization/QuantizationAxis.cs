using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// What QuantizeLinear and DequantizeLinear share: the scale and zero point are per tensor (scalars, or 1-element
/// tensors) or, from opset 13, per axis (1-D of the size of <c>axis</c>, default 1); blocked quantization
/// (<c>block_size</c>, opset 21) is not supported.
/// </summary>
internal static class QuantizationAxis
{
    /// <summary>Checks the attributes once: returns the raw <c>axis</c> attribute (normalised per input at run time).</summary>
    public static long Read(OnnxNodeInfo node)
    {
        if (node.Int("block_size", 0) != 0)
        {
            throw node.Invalid("blocked quantization (block_size ≠ 0) is not supported");
        }

        return node.Int("axis", 1);
    }

    /// <summary>
    /// <paramref name="parameter"/> (a scale or zero point) shaped to broadcast against <paramref name="x"/>: as is when it
    /// holds one element, else a 1-D tensor of x's size along <paramref name="axis"/>, viewed as [1, .., n, .., 1].
    /// </summary>
    public static Tensor Broadcast(OnnxNodeInfo node, Tensor parameter, Tensor x, long axis)
    {
        if (parameter.numel() == 1 && parameter.dim() <= 1)
        {
            return parameter.reshape([]);
        }

        if (node.SinceVersion < 13)
        {
            throw node.Failed($"scale and zero point must be scalars before opset 13, not [{string.Join(",", parameter.shape)}]");
        }

        var rank = x.dim();
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw node.Invalid($"axis {axis} is out of range for rank {rank}");
        }

        if (parameter.dim() != 1 || parameter.shape[0] != x.shape[a])
        {
            throw node.Failed($"a per-axis scale or zero point must be 1-D of size {x.shape[a]} (axis {a} of [{string.Join(",", x.shape)}]), not [{string.Join(",", parameter.shape)}]");
        }

        var shape = Enumerable.Repeat(1L, (int)rank).ToArray();
        shape[a] = x.shape[a];
        return parameter.reshape(shape);
    }
}
