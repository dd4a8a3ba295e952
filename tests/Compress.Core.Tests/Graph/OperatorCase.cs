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

    public Tolerance Tolerance => OperatorCaseOverrides.ToleranceFor(Name);
}

/// <summary>Marks a static method of <see cref="OperatorCases"/> that returns a group of cases.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CaseGroupAttribute : Attribute;
