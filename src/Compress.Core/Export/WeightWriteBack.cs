using Compress.Onnx;
using Compress.Onnx.Proto;
using static TorchSharp.torch;

namespace Compress.Export;

/// <summary>
/// Writes trained weights into a copy of the original model. Every initializer named in the dictionary gets the
/// tensor's values (converted to the initializer's original data type, stored as raw_data, its doc string kept);
/// a changed shape (structured pruning) updates the initializer's dims and a graph input of the same name.
/// Everything else — node and value names, opsets, metadata, value_info, other initializers — is left as it was.
/// </summary>
public static class WeightWriteBack
{
    /// <summary>A new model: <paramref name="original"/> with <paramref name="weights"/> written in. The original is not modified.</summary>
    /// <exception cref="ArgumentException">A weight names no initializer of the model.</exception>
    public static ModelProto Apply(ModelProto original, IReadOnlyDictionary<string, Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(weights);
        var model = original.Clone();
        var graph = model.Graph ?? throw new ArgumentException("the model has no graph", nameof(original));
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Initializer.Count; i++)
        {
            byName[graph.Initializer[i].Name] = i;
        }

        foreach (var (name, tensor) in weights)
        {
            if (!byName.TryGetValue(name, out var index))
            {
                throw new ArgumentException($"'{name}' is not an initializer of the model", nameof(weights));
            }

            var old = graph.Initializer[index];
            var type = OnnxTensors.ToScalarType(old.DataType) ?? throw new ArgumentException($"initializer '{name}' has an unsupported data type", nameof(weights));
            using var typed = tensor.detach().to_type(type);
            var proto = OnnxTensors.FromTorch(typed, name);
            proto.DocString = old.DocString;
            var reshaped = !old.Dims.SequenceEqual(proto.Dims);
            graph.Initializer[index] = proto;
            if (reshaped)
            {
                UpdateInputShape(graph, name, proto.Dims);
            }
        }

        return model;
    }

    private static void UpdateInputShape(GraphProto graph, string name, IEnumerable<long> dims)
    {
        foreach (var input in graph.Input.Where(i => i.Name == name))
        {
            if (input.Type?.TensorType is { } tensorType)
            {
                tensorType.Shape = new TensorShapeProto();
                foreach (var d in dims)
                {
                    tensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
                }
            }
        }
    }
}
