using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>BatchNormalization</c>. Evaluation mode uses the running statistics (what ONNX Runtime computes). Training mode
/// (as PyTorch) normalises with the batch statistics and updates the running statistics in place:
/// running = running·m + batch·(1 − m) with ONNX's momentum m (PyTorch's momentum is 1 − m), using the unbiased
/// batch variance for the update. The running mean and variance (inputs 3 and 4) are state: buffers, not weights.
/// </summary>
[OnnxOperator("BatchNormalization", 9)]
[OnnxOperator("BatchNormalization", 14)]
[OnnxOperator("BatchNormalization", 15)]
public sealed class BatchNormalization : OnnxOperator
{
    private double _epsilon;
    private double _momentum;

    /// <inheritdoc />
    public override IReadOnlyList<int> StateInputs => [3, 4];

    /// <inheritdoc />
    protected override void Initialize()
    {
        _epsilon = Node.Float("epsilon", 1e-5f);
        _momentum = Node.Float("momentum", 0.9f);
        if (Node.Proto.Output.Skip(1).Any(o => o.Length > 0))
        {
            throw Node.Invalid("the optional running_mean/running_var outputs are not supported; the executor updates the running statistics itself in training mode");
        }
    }

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var scale = Input(inputs, 1);
        var bias = Input(inputs, 2);
        var mean = Input(inputs, 3);
        var variance = Input(inputs, 4);
        return [nn.functional.batch_norm(x, mean, variance, scale, bias, context.Training, 1 - _momentum, _epsilon)];
    }
}
