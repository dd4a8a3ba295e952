using Compress.Diagnostics;
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
        // An export in training mode (TrainingMode.TRAINING) computes batch statistics at inference, in ONNX Runtime
        // too; the executor runs inference with the running statistics, so such a node is refused with what to do.
        var extraOutputs = Node.Proto.Output.Skip(1).Count(o => o.Length > 0);
        if (Node.Int("training_mode", 0) != 0 || extraOutputs > 0)
        {
            var how = string.Join(", ", new[]
            {
                Node.Int("training_mode", 0) != 0 ? "training_mode=1" : null,
                extraOutputs > 0 ? $"{extraOutputs} running-statistics output{(extraOutputs == 1 ? "" : "s")}" : null,
            }.OfType<string>());
            throw new CompressException(ModelMessages.TrainingModeBatchNorm(Node.Name, how));
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
