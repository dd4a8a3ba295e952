using Compress.Onnx.Proto;
using DataType = Compress.Onnx.Proto.TensorProto.Types.DataType;

namespace Compress.Graph;

/// <summary>One input for a parity check: name, row-major data (float[], double[], long[], int[] or bool[]) and shape.</summary>
public sealed record ParityInput(string Name, Array Data, long[] Shape);

/// <summary>
/// Seeded inputs for every graph input a model declares (inputs backed by an initializer are skipped). Symbolic
/// dimensions take their value from <c>dims</c> by name, default 1; unknown dimensions are 1; an input without a
/// shape is a scalar. Float inputs are uniform in [−1, 1); integer and boolean inputs are 0/false. An input named in
/// <c>fixedValues</c> (such as a sample rate) is filled with that value instead.
/// </summary>
public static class ParityInputs
{
    /// <summary>Creates the inputs; throws <see cref="NotSupportedException"/> for element types it cannot make.</summary>
    public static IReadOnlyList<ParityInput> Create(ModelProto model, IReadOnlyDictionary<string, long>? dims = null, IReadOnlyDictionary<string, double>? fixedValues = null, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? throw new ArgumentException("the model has no graph", nameof(model));
        var initializers = graph.Initializer.Select(t => t.Name).Concat(graph.SparseInitializer.Select(s => s.Values?.Name ?? "")).ToHashSet(StringComparer.Ordinal);
        var random = new Random(seed);
        var result = new List<ParityInput>();
        foreach (var input in graph.Input.Where(i => !initializers.Contains(i.Name)))
        {
            var tensorType = input.Type?.TensorType;
            var shape = tensorType?.Shape?.Dim.Select(d => d.ValueCase switch
            {
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue,
                TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => dims?.GetValueOrDefault(d.DimParam, 1) ?? 1,
                _ => 1,
            }).ToArray() ?? [];
            var count = (int)shape.Aggregate(1L, (a, d) => checked(a * d));
            double? value = fixedValues is not null && fixedValues.TryGetValue(input.Name, out var v) ? v : null;
            var type = (DataType)(tensorType?.ElemType ?? (int)DataType.Float);
            Array data = type switch
            {
                DataType.Float => Fill(count, i => value is { } f ? (float)f : (float)((random.NextDouble() * 2) - 1)),
                DataType.Double => Fill(count, i => value ?? ((random.NextDouble() * 2) - 1)),
                DataType.Int64 => Fill(count, i => (long)(value ?? 0)),
                DataType.Int32 => Fill(count, i => (int)(value ?? 0)),
                DataType.Bool => Fill(count, i => (value ?? 0) != 0),
                _ => throw new NotSupportedException($"input '{input.Name}' has element type {type}, which a parity check cannot generate"),
            };
            result.Add(new ParityInput(input.Name, data, shape));
        }

        return result;
    }

    private static T[] Fill<T>(int count, Func<int, T> value)
    {
        var data = new T[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = value(i);
        }

        return data;
    }
}
