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
