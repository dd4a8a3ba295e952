using System.Runtime.InteropServices;
using Compress.Diagnostics;
using static TorchSharp.torch;

namespace Compress.Graph;

/// <summary>One node ready to run: its operator and the value names it reads and writes ("" = omitted).</summary>
public sealed record GraphStep(OnnxOperator Operator, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

/// <summary>
/// A graph in topological order with its constant sub-graphs already folded. Values are looked up in this order:
/// values computed in this pass, the graph's inputs, its weights and constants, then the enclosing graph's values
/// (for sub-graphs of If).
/// </summary>
public sealed class CompiledGraph : IDisposable
{
    private readonly Dictionary<string, Tensor> _weights;
    private readonly Dictionary<string, Tensor> _constants;

    internal CompiledGraph(
        IReadOnlyList<GraphStep> steps,
        IReadOnlyList<string> inputs,
        IReadOnlyList<string> outputs,
        Dictionary<string, Tensor> weights,
        Dictionary<string, Tensor> constants,
        int foldedNodes)
    {
        Steps = steps;
        InputNames = inputs;
        OutputNames = outputs;
        _weights = weights;
        _constants = constants;
        FoldedNodeCount = foldedNodes;
    }

    /// <summary>The nodes that run on every pass, in order (folded nodes are not among them).</summary>
    public IReadOnlyList<GraphStep> Steps { get; }

    /// <summary>Graph inputs that callers feed (inputs backed by an initializer are not listed).</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>Graph outputs, in order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>How many nodes were precomputed because all their inputs were constant.</summary>
    public int FoldedNodeCount { get; }

    /// <summary>
    /// Runs the graph. <paramref name="feeds"/> must hold every name in <see cref="InputNames"/>;
    /// <paramref name="outer"/> resolves names of the enclosing graph. Returns the outputs by name, or the values
    /// named in <paramref name="fetch"/> (graph outputs or intermediate values, e.g. the scores before a Softmax).
    /// Failures inside a node become a <see cref="CompressException"/> with CMP2106 naming the node.
    /// </summary>
    public Dictionary<string, Tensor> Run(ExecutionContext context, IReadOnlyDictionary<string, Tensor> feeds, Func<string, Tensor?>? outer = null, IReadOnlyList<string>? fetch = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(feeds);
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in InputNames)
        {
            if (!feeds.TryGetValue(name, out var fed))
            {
                throw new CompressException(ModelMessages.BrokenGraph(null, $"graph input '{name}' was not fed"));
            }

            values[name] = fed;
        }

        Tensor? Lookup(string name) =>
            values.TryGetValue(name, out var v) ? v
            : _weights.TryGetValue(name, out var w) ? w
            : _constants.TryGetValue(name, out var c) ? c
            : outer?.Invoke(name);

        var inputs = new List<Tensor?>();
        var stepContext = context with { Scope = Lookup };
        foreach (var step in Steps)
        {
            inputs.Clear();
            foreach (var name in step.Inputs)
            {
                inputs.Add(name.Length == 0 ? null : Lookup(name)
                    ?? throw new CompressException(ModelMessages.BrokenGraph(step.Operator.Node.Name, $"value '{name}' is not available")));
            }

            Tensor[] results;
            try
            {
                results = step.Operator.Forward(stepContext, inputs);
            }
            catch (Exception e) when (e is not CompressException and (ExternalException or ArgumentException or InvalidOperationException or IndexOutOfRangeException))
            {
                throw new CompressException(ModelMessages.NodeFailed(step.Operator.Node.Name, step.Operator.Node.OpType, FirstLine(e.Message)), e);
            }

            for (var i = 0; i < step.Outputs.Count && i < results.Length; i++)
            {
                if (step.Outputs[i].Length > 0)
                {
                    values[step.Outputs[i]] = results[i];
                }
            }
        }

        var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in fetch ?? OutputNames)
        {
            outputs[name] = Lookup(name)
                ?? throw new CompressException(ModelMessages.BrokenGraph(null, $"value '{name}' was not computed"));
        }

        return outputs;
    }

    /// <summary>Disposes the folded constants this graph owns (weights belong to the module).</summary>
    public void Dispose()
    {
        foreach (var constant in _constants.Values)
        {
            constant.Dispose();
        }

        _constants.Clear();
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
