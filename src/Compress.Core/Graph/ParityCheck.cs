using Compress.Diagnostics;
using Compress.Evaluation;
using Compress.Onnx;
using Compress.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace Compress.Graph;

/// <summary>One output of a parity check: the largest |executor − ONNX Runtime| over its elements.</summary>
/// <param name="Output">The output's name.</param>
/// <param name="Shape">ONNX Runtime's output shape.</param>
/// <param name="MaxAbsoluteError">Largest absolute difference (∞ when shapes or types differ; integers and booleans compare exactly, as 0/1 per element).</param>
/// <param name="Passed">True when every element is within the tolerance.</param>
public sealed record OutputParity(string Output, long[] Shape, double MaxAbsoluteError, bool Passed);

/// <summary>The outcome: per-output errors, and the diagnostics that explain any failure.</summary>
public sealed record ParityCheckResult(IReadOnlyList<ParityInput> Inputs, IReadOnlyList<OutputParity> Outputs, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when nothing went wrong and every output is within tolerance.</summary>
    public bool Passed => Diagnostics.Count == 0 && Outputs.All(o => o.Passed);
}

/// <summary>
/// Runs a model with the executor (eval mode) and with ONNX Runtime (CPU, no graph optimisations) on the same seeded
/// inputs (<see cref="ParityInputs"/>) and compares every output within <see cref="Tolerance.Parity"/> (1e-4) — what
/// <c>dotnet compress inspect MODEL --check-parity</c> reports. Problems are diagnostics: unsupported operators
/// (CMP2101, all at once), executor failures (CMP21xx), ONNX Runtime failures (CMP2107), outputs out of tolerance (CMP2108).
/// </summary>
public static class ParityCheck
{
    /// <summary>Runs the check. <paramref name="dims"/> sizes symbolic dimensions by name (default 1); <paramref name="fixedInputs"/> fills named inputs with a value.</summary>
    public static ParityCheckResult Run(ModelProto model, IReadOnlyDictionary<string, long>? dims = null, IReadOnlyDictionary<string, double>? fixedInputs = null, int seed = 0, string? file = null, OperatorRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var unsupported = OnnxGraphModule.FindUnsupportedOperators(model, registry, file);
        if (unsupported.Count > 0)
        {
            return new([], [], unsupported);
        }

        IReadOnlyList<ParityInput> inputs;
        try
        {
            inputs = ParityInputs.Create(model, dims, fixedInputs, seed);
        }
        catch (NotSupportedException e)
        {
            return new([], [], [ModelMessages.ParityRuntimeFailed(file, e.Message)]);
        }

        Dictionary<string, (Array Data, long[] Shape)> expected;
        try
        {
            expected = RunOrt(OnnxModelIO.Save(model), inputs);
        }
        catch (Exception e) when (e is OnnxRuntimeException or NotSupportedException)
        {
            return new(inputs, [], [ModelMessages.ParityRuntimeFailed(file, FirstLine(e.Message))]);
        }

        Dictionary<string, (Array Data, long[] Shape)> actual;
        try
        {
            actual = RunExecutor(model, inputs, registry, file);
        }
        catch (CompressException e)
        {
            return new(inputs, [], e.Diagnostics);
        }

        var outputs = new List<OutputParity>();
        var diagnostics = new List<Diagnostic>();
        foreach (var (name, (data, shape)) in expected)
        {
            var (error, detail) = actual.TryGetValue(name, out var a) ? Compare(data, shape, a.Data, a.Shape) : (double.PositiveInfinity, "the executor did not produce it");
            var passed = error <= Tolerance.Parity.Absolute;
            outputs.Add(new OutputParity(name, shape, error, passed));
            if (!passed)
            {
                diagnostics.Add(ModelMessages.ParityMismatch(file, name, detail));
            }
        }

        return new(inputs, outputs, diagnostics);
    }

    private static (double Error, string Detail) Compare(Array expected, long[] expectedShape, Array actual, long[] actualShape)
    {
        if (!expectedShape.SequenceEqual(actualShape) || expected.GetType() != actual.GetType())
        {
            return (double.PositiveInfinity, $"ONNX Runtime gives {expected.GetType().GetElementType()!.Name} [{string.Join(",", expectedShape)}], the executor {actual.GetType().GetElementType()!.Name} [{string.Join(",", actualShape)}]");
        }

        if (expected is float[] ef)
        {
            var c = Tolerance.Parity.Compare(ef, (float[])actual, expectedShape);
            return (c.MaxError, c.Detail);
        }

        var e = expected.Cast<object>().Select(Convert.ToDouble).ToArray();
        var a = actual.Cast<object>().Select(Convert.ToDouble).ToArray();
        var max = e.Zip(a, (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0).Max();
        return (max, $"max error {max:G4}");
    }

    private static Dictionary<string, (Array, long[])> RunOrt(byte[] bytes, IReadOnlyList<ParityInput> inputs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(bytes, options);
        var values = inputs.Select(i => i.Data switch
        {
            float[] f => OrtValue.CreateTensorValueFromMemory(f, i.Shape),
            double[] d => OrtValue.CreateTensorValueFromMemory(d, i.Shape),
            long[] l => OrtValue.CreateTensorValueFromMemory(l, i.Shape),
            int[] n => OrtValue.CreateTensorValueFromMemory(n, i.Shape),
            bool[] b => OrtValue.CreateTensorValueFromMemory(b, i.Shape),
            _ => throw new ArgumentException($"input '{i.Name}' has unsupported data {i.Data.GetType()}"),
        }).ToList();
        try
        {
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToList(), values, session.OutputNames);
            var outputs = new Dictionary<string, (Array, long[])>(StringComparer.Ordinal);
            for (var i = 0; i < session.OutputNames.Count; i++)
            {
                var info = results[i].GetTensorTypeAndShape();
                outputs[session.OutputNames[i]] = (info.ElementDataType switch
                {
                    TensorElementType.Float => results[i].GetTensorDataAsSpan<float>().ToArray(),
                    TensorElementType.Double => results[i].GetTensorDataAsSpan<double>().ToArray(),
                    TensorElementType.Int64 => results[i].GetTensorDataAsSpan<long>().ToArray(),
                    TensorElementType.Int32 => results[i].GetTensorDataAsSpan<int>().ToArray(),
                    TensorElementType.Bool => results[i].GetTensorDataAsSpan<bool>().ToArray(),
                    var other => throw new NotSupportedException($"output '{session.OutputNames[i]}' has element type {other}, which the parity check does not compare"),
                }, info.Shape);
            }

            return outputs;
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    private static Dictionary<string, (Array, long[])> RunExecutor(ModelProto model, IReadOnlyList<ParityInput> inputs, OperatorRegistry? registry, string? file)
    {
        using var module = OnnxGraphModule.Create(model, registry, file);
        module.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var feeds = inputs.ToDictionary(i => i.Name, i => i.Data switch
        {
            float[] f => tensor(f, i.Shape),
            double[] d => tensor(d, i.Shape),
            long[] l => tensor(l, i.Shape),
            int[] n => tensor(n, i.Shape),
            bool[] b => tensor(b, i.Shape),
            _ => throw new ArgumentException($"input '{i.Name}' has unsupported data {i.Data.GetType()}"),
        });
        var outputs = new Dictionary<string, (Array, long[])>(StringComparer.Ordinal);
        foreach (var (name, value) in module.Forward(feeds))
        {
            using var cpu = value.detach().cpu().contiguous();
            outputs[name] = (cpu.dtype switch
            {
                ScalarType.Float32 => cpu.data<float>().ToArray(),
                ScalarType.Float64 => cpu.data<double>().ToArray(),
                ScalarType.Int64 => cpu.data<long>().ToArray(),
                ScalarType.Int32 => cpu.data<int>().ToArray(),
                ScalarType.Bool => cpu.data<bool>().ToArray(),
                _ => cpu.to_type(ScalarType.Float32).data<float>().ToArray(),
            }, cpu.shape);
        }

        return outputs;
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
