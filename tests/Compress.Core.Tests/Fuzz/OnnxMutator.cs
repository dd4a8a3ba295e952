using System.Globalization;
using Compress.Onnx.Proto;
using Google.Protobuf;

namespace Compress.Fuzz;

/// <summary>
/// Structure-aware mutations of an ONNX model: the model is parsed, one field with meaning is changed (a dimension,
/// a data type, raw data, a node's wiring or operator, an attribute, a version, external data) and the model is
/// written back, so the input gets past the protobuf parser into the checks and into
/// <c>PrunableWeights.Prepare</c>. Byte-level mutations of protobuf mostly stop at the parser.
/// </summary>
public static class OnnxMutator
{
    private static readonly long[] OddLongs = [0, -1, -7, 1L << 40, int.MaxValue, long.MaxValue, long.MinValue, 3];

    private static readonly string[] Operators =
        ["Conv", "Gemm", "MatMul", "Add", "Mul", "Reshape", "Transpose", "Flatten", "Relu", "BatchNormalization", "Constant", "Identity", "Concat", "Slice", "Squeeze", "Unsqueeze", "ReduceMean", "Softmax", "LSTM", "GRU", "If", "Loop", "Gather", "NoSuchOp"];

    /// <summary>Applies one structural mutation to <paramref name="bytes"/>; an input that does not parse is returned unchanged.</summary>
    public static (byte[] Data, string What) Mutate(byte[] bytes, Random random)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(random);
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            return (bytes, "structural mutation of an unparsable model (no change)");
        }

        if (model.Graph is null)
        {
            return (bytes, "structural mutation of a model without graph (no change)");
        }

        var what = Apply(model, model.Graph, random);
        return (model.ToByteArray(), what);
    }

    private static string Apply(ModelProto model, GraphProto graph, Random random)
    {
        var initializers = graph.Initializer;
        var nodes = graph.Node;
        switch (random.Next(14))
        {
            case 0 when initializers.Count > 0:
            {
                var t = initializers[random.Next(initializers.Count)];
                var value = OddLongs[random.Next(OddLongs.Length)];
                if (t.Dims.Count == 0 || random.Next(4) == 0)
                {
                    t.Dims.Add(value);
                    return F($"initializer {t.Name}: dimension {value} added");
                }

                var i = random.Next(t.Dims.Count);
                t.Dims[i] = value;
                return F($"initializer {t.Name}: dims[{i}] = {value}");
            }

            case 1 when initializers.Count > 0:
            {
                var t = initializers[random.Next(initializers.Count)];
                t.DataType = random.Next(3) == 0 ? random.Next(-2, 1000) : random.Next(0, 26);
                return F($"initializer {t.Name}: data_type = {t.DataType}");
            }

            case 2 when initializers.Count > 0:
            {
                var t = initializers[random.Next(initializers.Count)];
                var raw = t.RawData.ToByteArray();
                var choice = random.Next(4);
                t.RawData = choice switch
                {
                    0 => ByteString.CopyFrom(raw.AsSpan(0, raw.Length == 0 ? 0 : random.Next(raw.Length))),
                    1 => ByteString.CopyFrom([.. raw, .. raw]),
                    2 => ByteString.Empty,
                    _ => ByteString.CopyFrom(raw.AsSpan(0, raw.Length / 2)),
                };
                if (choice == 2 && random.Next(2) == 0)
                {
                    t.FloatData.Add(Enumerable.Repeat(float.NaN, random.Next(1, 9)));
                }

                return F($"initializer {t.Name}: raw_data {raw.Length} -> {t.RawData.Length} bytes{(t.FloatData.Count > 0 ? ", float_data" : "")}");
            }

            case 3 when initializers.Count > 0:
            {
                var i = random.Next(initializers.Count);
                var name = initializers[i].Name;
                if (random.Next(2) == 0)
                {
                    initializers.RemoveAt(i);
                    return F($"initializer {name} removed");
                }

                initializers.Add(initializers[i].Clone());
                return F($"initializer {name} duplicated");
            }

            case 4 when nodes.Count > 0:
            {
                var node = nodes[random.Next(nodes.Count)];
                if (node.Input.Count == 0)
                {
                    node.Input.Add("nowhere");
                    return F($"node {node.Name}: input 'nowhere' added");
                }

                var i = random.Next(node.Input.Count);
                var later = nodes[random.Next(nodes.Count)];
                var source = random.Next(4) switch
                {
                    0 => "nowhere",
                    1 => "",
                    2 => node.Output.Count > 0 ? node.Output[0] : "self",
                    _ => later.Output.Count > 0 ? later.Output[0] : "later",
                };
                node.Input[i] = source;
                return F($"node {node.Name}: input {i} = '{source}'");
            }

            case 5 when nodes.Count > 0:
            {
                var i = random.Next(nodes.Count);
                var name = nodes[i].Name;
                if (random.Next(2) == 0)
                {
                    nodes.RemoveAt(i);
                    return F($"node {name} removed");
                }

                nodes.Insert(random.Next(nodes.Count + 1), nodes[i].Clone());
                return F($"node {name} duplicated");
            }

            case 6 when nodes.Count > 0:
            {
                var node = nodes[random.Next(nodes.Count)];
                var was = node.OpType;
                node.OpType = random.Next(3) == 0 ? nodes[random.Next(nodes.Count)].OpType : Operators[random.Next(Operators.Length)];
                if (random.Next(6) == 0)
                {
                    node.Domain = random.Next(2) == 0 ? "com.microsoft" : "ai.onnx";
                }

                return F($"node {node.Name}: op {was} -> {node.OpType} (domain '{node.Domain}')");
            }

            case 7 when nodes.Any(n => n.Attribute.Count > 0):
            {
                var withAttributes = nodes.Where(n => n.Attribute.Count > 0).ToList();
                var node = withAttributes[random.Next(withAttributes.Count)];
                var a = node.Attribute[random.Next(node.Attribute.Count)];
                var value = OddLongs[random.Next(OddLongs.Length)];
                switch (random.Next(5))
                {
                    case 0:
                        node.Attribute.Remove(a);
                        return F($"node {node.Name}: attribute {a.Name} removed");
                    case 1:
                        a.I = value;
                        return F($"node {node.Name}: attribute {a.Name}.i = {value}");
                    case 2:
                        if (a.Ints.Count > 0)
                        {
                            a.Ints[random.Next(a.Ints.Count)] = value;
                        }
                        else
                        {
                            a.Ints.Add(value);
                        }

                        return F($"node {node.Name}: attribute {a.Name}.ints has {value}");
                    case 3:
                        a.Type = (AttributeProto.Types.AttributeType)random.Next(0, 16);
                        return F($"node {node.Name}: attribute {a.Name}.type = {a.Type}");
                    default:
                        a.Ints.Clear();
                        a.Floats.Add(float.PositiveInfinity);
                        a.F = float.NaN;
                        return F($"node {node.Name}: attribute {a.Name}: ints cleared, f = NaN");
                }
            }

            case 8:
            {
                if (random.Next(2) == 0)
                {
                    model.IrVersion = random.Next(-1, 14);
                    return F($"ir_version = {model.IrVersion}");
                }

                var version = random.Next(-1, 25);
                if (model.OpsetImport.Count > 0 && random.Next(3) > 0)
                {
                    model.OpsetImport[random.Next(model.OpsetImport.Count)].Version = version;
                    return F($"an opset import = {version}");
                }

                model.OpsetImport.Add(new OperatorSetIdProto { Domain = random.Next(2) == 0 ? "" : "ai.onnx", Version = version });
                return F($"opset import '' or ai.onnx {version} added");
            }

            case 9 when graph.Input.Count + graph.Output.Count > 0:
            {
                var values = graph.Input.Concat(graph.Output).ToList();
                var v = values[random.Next(values.Count)];
                if (random.Next(3) == 0)
                {
                    graph.Input.Remove(v);
                    graph.Output.Remove(v);
                    return F($"graph input/output {v.Name} removed");
                }

                var shape = v.Type?.TensorType?.Shape;
                if (shape is not null && shape.Dim.Count > 0 && random.Next(2) == 0)
                {
                    var value = OddLongs[random.Next(OddLongs.Length)];
                    shape.Dim[random.Next(shape.Dim.Count)].DimValue = value;
                    return F($"graph value {v.Name}: a dimension = {value}");
                }

                if (v.Type?.TensorType is not null)
                {
                    v.Type.TensorType.ElemType = random.Next(0, 30);
                    return F($"graph value {v.Name}: elem_type = {v.Type.TensorType.ElemType}");
                }

                return F($"graph value {v.Name}: no tensor type (no change)");
            }

            case 10 when initializers.Count > 0:
            {
                var t = initializers[random.Next(initializers.Count)];
                t.DataLocation = TensorProto.Types.DataLocation.External;
                t.ExternalData.Clear();
                var location = new[] { "missing.bin", "../../etc/passwd", "/etc/hostname", "", ".", "a/../../b.bin", "\0" }[random.Next(7)];
                t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
                if (random.Next(2) == 0)
                {
                    t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = new[] { "-1", "x", "9223372036854775807", "4096" }[random.Next(4)] });
                    t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = new[] { "-1", "1e9", "18446744073709551615", "16" }[random.Next(4)] });
                }

                if (random.Next(4) == 0)
                {
                    t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "again.bin" });
                }

                return F($"initializer {t.Name}: external data at '{location.Replace("\0", "\\0", StringComparison.Ordinal)}' ({t.ExternalData.Count} keys)");
            }

            case 11 when nodes.Count > 0:
            {
                var node = nodes[random.Next(nodes.Count)];
                if (random.Next(2) == 0 && node.Output.Count > 0)
                {
                    var other = nodes[random.Next(nodes.Count)];
                    node.Output[0] = other.Output.Count > 0 ? other.Output[0] : node.Output[0];
                    return F($"node {node.Name}: output 0 = '{node.Output[0]}' (maybe shared)");
                }

                node.Output.Add(random.Next(2) == 0 ? "" : initializers.Count > 0 ? initializers[0].Name : "extra");
                return F($"node {node.Name}: extra output '{node.Output[^1]}'");
            }

            case 12 when nodes.Any(n => n.Attribute.Any(a => a.T is not null)):
            {
                var node = nodes.First(n => n.Attribute.Any(a => a.T is not null));
                var t = node.Attribute.First(a => a.T is not null).T;
                t.Dims.Clear();
                t.Dims.Add(OddLongs[random.Next(OddLongs.Length)]);
                return F($"node {node.Name}: tensor attribute dims = [{t.Dims[0]}]");
            }

            case 13 when nodes.Count > 0:
            {
                // A subgraph inside a node: If/Loop bodies are graphs the readers must walk without assuming depth 1.
                var node = nodes[random.Next(nodes.Count)];
                var body = graph.Clone();
                body.Initializer.Clear();
                node.Attribute.Add(new AttributeProto { Name = "body", Type = AttributeProto.Types.AttributeType.Graph, G = body });
                return F($"node {node.Name}: graph attribute 'body' (a copy of the graph) added");
            }

            default:
                return "structural mutation with nothing to act on (no change)";
        }
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
