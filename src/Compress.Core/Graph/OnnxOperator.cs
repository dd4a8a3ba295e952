using static TorchSharp.torch;

namespace Compress.Graph;

/// <summary>
/// One ONNX operator as a differentiable TorchSharp computation. A new instance serves each node:
/// <see cref="Initialize"/> reads and checks attributes once, <see cref="Forward"/> runs on every pass.
/// Subclasses are small sealed classes marked with <see cref="OnnxOperatorAttribute"/> (see docs/operators.md).
/// </summary>
public abstract class OnnxOperator
{
    /// <summary>The node this instance serves (set before <see cref="Initialize"/>).</summary>
    public OnnxNodeInfo Node { get; private set; } = null!;

    /// <summary>
    /// Indices of inputs that are model state rather than trainable weights when fed by a float initializer
    /// (BatchNormalization's running mean and variance): they become buffers, not parameters.
    /// </summary>
    public virtual IReadOnlyList<int> StateInputs => [];

    /// <summary>False for operators whose output must not be precomputed even from constant inputs (random, training-dependent).</summary>
    public virtual bool IsFoldable => true;

    internal void Bind(OnnxNodeInfo node)
    {
        Node = node;
        Initialize();
    }

    /// <summary>Reads and validates attributes; throw <see cref="OnnxNodeInfo.Invalid"/> for bad ones.</summary>
    protected virtual void Initialize()
    {
    }

    /// <summary>Computes the node's outputs. <paramref name="inputs"/> has null for omitted optional inputs.</summary>
    public abstract Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs);

    /// <summary>The input at <paramref name="index"/>, which the operator requires.</summary>
    protected Tensor Input(IReadOnlyList<Tensor?> inputs, int index)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return (index < inputs.Count ? inputs[index] : null)
            ?? throw Node.Invalid($"required input {index} is missing");
    }

    /// <summary>The optional input at <paramref name="index"/>, or null.</summary>
    protected static Tensor? Optional(IReadOnlyList<Tensor?> inputs, int index)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return index < inputs.Count ? inputs[index] : null;
    }

    /// <summary>Reads a 1-D (or scalar) integer tensor, e.g. a shape or an axes input.</summary>
    protected static long[] ToLongs(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var flat = tensor.to_type(ScalarType.Int64).cpu().flatten();
        return flat.data<long>().ToArray();
    }

    /// <summary>
    /// <c>torch.matmul</c> (NumPy semantics) after checking types and shapes. TorchSharp's native matmul does not
    /// catch libtorch errors, so a mismatch there ends the process instead of raising; here it is a CMP2106 naming the node.
    /// </summary>
    protected Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        long[] sa = a.shape, sb = b.shape;
        var what = $"cannot multiply [{string.Join(",", sa)}] ({a.dtype}) by [{string.Join(",", sb)}] ({b.dtype})";
        if (a.dtype != b.dtype || sa.Length == 0 || sb.Length == 0 || sa[^1] != (sb.Length == 1 ? sb[0] : sb[^2]))
        {
            throw Node.Failed(what);
        }

        long[] batchA = sa.Length > 2 ? sa[..^2] : [], batchB = sb.Length > 2 ? sb[..^2] : [];
        for (var i = 1; i <= Math.Min(batchA.Length, batchB.Length); i++)
        {
            if (batchA[^i] != batchB[^i] && batchA[^i] != 1 && batchB[^i] != 1)
            {
                throw Node.Failed(what + ": batch dimensions do not broadcast");
            }
        }

        return a.matmul(b);
    }

    /// <summary>Normalises a possibly negative axis against <paramref name="rank"/>.</summary>
    protected long Axis(long axis, long rank)
    {
        var normalised = axis < 0 ? axis + rank : axis;
        if (normalised < 0 || normalised >= rank)
        {
            throw Node.Invalid($"axis {axis} is out of range for rank {rank}");
        }

        return normalised;
    }
}
