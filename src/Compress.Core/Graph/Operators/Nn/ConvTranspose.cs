using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>ConvTranspose</c> (1-D and 2-D): strides, dilations, groups, explicit (also asymmetric) pads, output_padding,
/// and output_shape / auto_pad as ONNX specifies. The full transposed convolution is computed without padding,
/// extended by output_padding, then cropped by the pads.
/// </summary>
[OnnxOperator("ConvTranspose", 1)]
[OnnxOperator("ConvTranspose", 11)]
public sealed class ConvTranspose : OnnxOperator
{
    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        var x = Input(inputs, 0);
        var w = Input(inputs, 1);
        var bias = Optional(inputs, 2);
        Runtime.ConvolutionRecorder.RecordUnchecked(Node.OpType);
        var group = Node.Int("group", 1);
        var kernel = Node.Ints("kernel_shape") ?? w.shape[2..];
        var rank = kernel.Length;
        var strides = Node.Ints("strides") ?? Enumerable.Repeat(1L, rank).ToArray();
        var dilations = Node.Ints("dilations") ?? Enumerable.Repeat(1L, rank).ToArray();
        var outputPadding = Node.Ints("output_padding") ?? new long[rank];
        var autoPad = Node.String("auto_pad", "NOTSET");
        var spatial = x.shape[2..];
        var pads = Node.Ints("pads") ?? new long[2 * rank];
        var outputShape = Node.Ints("output_shape");
        if (outputShape is null && autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            outputShape = spatial.Select((s, i) => s * strides[i]).ToArray();
        }

        if (outputShape is not null)
        {
            outputShape = outputShape[^rank..];
            pads = new long[2 * rank];
            for (var i = 0; i < rank; i++)
            {
                var total = (strides[i] * (spatial[i] - 1)) + outputPadding[i] + ((kernel[i] - 1) * dilations[i]) + 1 - outputShape[i];
                // SAME_UPPER puts the odd pixel at the end; SAME_LOWER and an explicit output_shape at the start.
                var upper = autoPad == "SAME_UPPER";
                pads[i] = upper ? total / 2 : total - (total / 2);
                pads[i + rank] = upper ? total - (total / 2) : total / 2;
            }
        }

        var full = rank switch
        {
            1 => nn.functional.conv_transpose1d(x, w, null, strides[0], 0, 0, group, dilations[0]),
            2 => nn.functional.conv_transpose2d(x, w, null, strides, new long[2], new long[2], dilations, group),
            _ => throw Node.Invalid($"{rank}-D transposed convolution is not supported (1-D and 2-D are)"),
        };

        // Grow by output_padding at the end, then crop pads (negative "pads" after growth never occur in valid models).
        var torchPads = new long[2 * rank];
        for (var i = 0; i < rank; i++)
        {
            torchPads[2 * (rank - 1 - i)] = -pads[i];
            torchPads[(2 * (rank - 1 - i)) + 1] = outputPadding[i] - pads[i + rank];
        }

        var y = nn.functional.pad(full, torchPads);
        if (bias is not null)
        {
            var shape = new long[y.dim()];
            Array.Fill(shape, 1L);
            shape[1] = -1;
            y = y.Plus(bias.reshape(shape));
        }

        return [y];
    }
}
