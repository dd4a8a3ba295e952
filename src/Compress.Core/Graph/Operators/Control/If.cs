using static TorchSharp.torch;

namespace Compress.Graph.Operators;

/// <summary>
/// <c>If</c>: runs then_branch or else_branch by a boolean condition known only at run time. Branches are compiled
/// once and read the enclosing graph's values by name; their outputs become the node's outputs.
/// </summary>
[OnnxOperator("If", 1)]
[OnnxOperator("If", 11)]
[OnnxOperator("If", 13)]
[OnnxOperator("If", 16)]
[OnnxOperator("If", 19)]
[OnnxOperator("If", 21)]
public sealed class If : OnnxOperator
{
    private CompiledGraph _then = null!;
    private CompiledGraph _else = null!;

    /// <inheritdoc />
    public override bool IsFoldable => false;

    /// <inheritdoc />
    protected override void Initialize()
    {
        _then = Node.CompileSubgraph(Node.RequiredGraph("then_branch"));
        _else = Node.CompileSubgraph(Node.RequiredGraph("else_branch"));
        if (_then.OutputNames.Count != _else.OutputNames.Count)
        {
            throw Node.Invalid($"then_branch has {_then.OutputNames.Count} outputs but else_branch has {_else.OutputNames.Count}");
        }
    }

    /// <inheritdoc />
    public override Tensor[] Forward(ExecutionContext context, IReadOnlyList<Tensor?> inputs)
    {
        ArgumentNullException.ThrowIfNull(context);
        var condition = Input(inputs, 0);
        if (condition.numel() != 1)
        {
            throw Node.Invalid($"the condition must hold one element, not {condition.numel()}");
        }

        var branch = condition.to_type(ScalarType.Bool).flatten()[0].item<bool>() ? _then : _else;
        var outputs = branch.Run(context with { Scope = null }, new Dictionary<string, Tensor>(), context.Scope);
        return branch.OutputNames.Select(n => outputs[n]).ToArray();
    }
}
