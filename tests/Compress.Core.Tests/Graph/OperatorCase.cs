using Compress.Evaluation;
using Compress.Onnx.Proto;

namespace Compress.Core.Tests.Graph;

/// <summary>
/// A golden case: a tiny model and its inputs. ONNX Runtime's outputs are the truth; the executor must match
/// within <see cref="OperatorCaseOverrides"/>' tolerance for the case (default 1e-4 absolute), in eval mode.
/// </summary>
public sealed record OperatorCase(string Name, ModelProto Model, IReadOnlyList<CaseTensor> Inputs)
{
    public override string ToString() => Name;

    /// <summary>Operator types the case exercises (for the coverage test).</summary>
    public IEnumerable<string> OpTypes => Model.Graph.Node.Select(n => n.OpType)
        .Concat(Model.Graph.Node.SelectMany(n => n.Attribute).Where(a => a.G is not null).SelectMany(a => a.G.Node).Select(n => n.OpType));

    public Tolerance Tolerance => OperatorCaseOverrides.ToleranceFor(Name);
}

/// <summary>Marks a static method of <see cref="OperatorCases"/> that returns a group of cases.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CaseGroupAttribute : Attribute;
