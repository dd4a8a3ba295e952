using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary><c>Range</c>: start, start+delta, ... up to (excluding) limit; the type of start.</summary>
[OnnxOperator("Range", 11)]
public sealed class Range : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var start = Input(inputs, 0);
        var limit = Input(inputs, 1);
        var delta = Input(inputs, 2);
        if (start.is_floating_point())
        {
            double s = start.to_type(ScalarType.Float64).item<double>(), l = limit.to_type(ScalarType.Float64).item<double>(), d = delta.to_type(ScalarType.Float64).item<double>();
            var count = (long)Math.Max(0, Math.Ceiling((l - s) / d));
            return [(arange(count, ScalarType.Float64) * d + s).to_type(start.dtype)];
        }

        long si = start.to_type(ScalarType.Int64).item<long>(), li = limit.to_type(ScalarType.Int64).item<long>(), di = delta.to_type(ScalarType.Int64).item<long>();
        var n = (long)Math.Max(0, Math.Ceiling((li - si) / (double)di));
        return [((arange(n, ScalarType.Int64) * di) + si).to_type(start.dtype)];
    }
}
