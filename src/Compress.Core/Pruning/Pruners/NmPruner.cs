using Compress.Onnx.Proto;
using static TorchSharp.torch;

namespace Compress.Pruning.Pruners;

/// <summary>
/// Semi-structured N:M pruning (e.g. 2:4): along each weight's reduction axis (the input features a dot product
/// runs over: Conv's input channels, Gemm's K, MatMul's K, the input/hidden axis of LSTM/GRU) every run of M
/// consecutive weights keeps its N largest scores. A trailing run shorter than M keeps min(N, length) weights.
/// </summary>
public static class NmPruner
{
    /// <summary>Applies the N:M pattern to every named mask.</summary>
    public static void Prune(MaskSet masks, IReadOnlyList<string> names, IReadOnlyDictionary<string, float[]> scores, int n, int m, ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(masks);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(scores);
        foreach (var name in names)
        {
            using var scope = NewDisposeScope();
            var shape = masks[name].shape;
            var axis = ReductionAxis(model, name, shape.Length);
            var moved = tensor(scores[name]).reshape(shape).movedim([axis], [-1L]).contiguous();
            var movedShape = moved.shape;
            var values = moved.data<float>().ToArray();
            var length = (int)movedShape[^1];
            var keep = new float[values.Length];
            for (var row = 0; row < values.Length / Math.Max(1, length); row++)
            {
                for (var start = 0; start < length; start += m)
                {
                    var run = Math.Min(m, length - start);
                    var offset = (row * length) + start;
                    var order = Enumerable.Range(0, run).OrderByDescending(i => values[offset + i]).ThenBy(i => i).Take(Math.Min(n, run));
                    foreach (var i in order)
                    {
                        keep[offset + i] = 1f;
                    }
                }
            }

            masks.Update(name, tensor(keep).reshape(movedShape).movedim([-1L], [axis]).contiguous());
        }
    }

    /// <summary>The axis of a weight that its consumer reduces over.</summary>
    public static int ReductionAxis(ModelProto model, string weight, int rank)
    {
        ArgumentNullException.ThrowIfNull(model);
        var node = model.Graph.Node.First(nd => nd.Input.Contains(weight));
        var operand = node.Input.IndexOf(weight);
        long Attr(string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? 0;
        return node.OpType switch
        {
            "Conv" => 1,
            "ConvTranspose" => 0,
            "Gemm" when operand == 1 => Attr("transB") != 0 ? 1 : 0,
            "Gemm" => Attr("transA") != 0 ? 0 : 1,
            "MatMul" when operand == 1 => Math.Max(0, rank - 2),
            _ => rank - 1,
        };
    }
}
