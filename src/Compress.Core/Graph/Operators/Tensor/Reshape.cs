using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>Reshape</c>: the shape input's 0 copies the input's dimension (unless <c>allowzero</c>=1, since 14), and
/// one -1 is inferred.
/// </summary>
[OnnxOperator("Reshape", 5)]
[OnnxOperator("Reshape", 13)]
[OnnxOperator("Reshape", 14)]
[OnnxOperator("Reshape", 19)]
[OnnxOperator("Reshape", 21)]
public sealed class Reshape : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var shape = ToLongs(Input(inputs, 1));
        var allowZero = Node.Int("allowzero", 0) != 0;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 0 && !allowZero)
            {
                if (i >= x.dim())
                {
                    throw Node.Invalid($"shape[{i}] is 0 (copy) but the input has rank {x.dim()}");
                }

                shape[i] = x.shape[i];
            }
        }

        return [x.reshape(shape)];
    }
}
