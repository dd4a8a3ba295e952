using Compress.Onnx.Proto;

namespace Compress.Core.Tests.Graph;

/// <summary>
/// Operators whose signature changed between opsets 11 and 21 have a parity case on each form: the form is
/// recognised from the model's opset and the node (an attribute present, an input count).
/// </summary>
public sealed class OpsetFormCoverageTests
{
    private static readonly (string Op, string Form, Func<long, NodeProto, bool> Matches)[] Forms =
    [
        ("Squeeze", "axes attribute (< 13)", (o, n) => o < 13 && n.Attribute.Any(a => a.Name == "axes")),
        ("Squeeze", "axes input (13+)", (o, n) => o >= 13 && n.Input.Count > 1),
        ("Unsqueeze", "axes attribute (< 13)", (o, n) => o < 13 && n.Attribute.Any(a => a.Name == "axes")),
        ("Unsqueeze", "axes input (13+)", (o, n) => o >= 13 && n.Input.Count > 1),
        ("ReduceSum", "axes attribute (< 13)", (o, n) => o < 13 && n.Attribute.Any(a => a.Name == "axes")),
        ("ReduceSum", "axes input (13+)", (o, n) => o >= 13 && n.Input.Count > 1),
        .. new[] { "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2" }.SelectMany(op => new (string, string, Func<long, NodeProto, bool>)[]
        {
            (op, "axes attribute (< 18)", (o, n) => o < 18 && n.Attribute.Any(a => a.Name == "axes")),
            (op, "axes input (18+)", (o, n) => o >= 18 && n.Input.Count > 1),
        }),
        ("Split", "split attribute (< 13)", (o, n) => o < 13 && n.Attribute.Any(a => a.Name == "split")),
        ("Split", "split input (13+)", (o, n) => o >= 13 && n.Input.Count > 1),
        ("Split", "num_outputs (18+)", (o, n) => o >= 18 && n.Attribute.Any(a => a.Name == "num_outputs")),
        ("Clip", "min/max attributes (< 11)", (o, n) => o < 11 && n.Attribute.Any(a => a.Name is "min" or "max")),
        ("Clip", "min/max inputs (11+)", (o, n) => o >= 11 && n.Input.Count == 3),
        ("Pad", "pads attribute (< 11)", (o, n) => o < 11 && n.Attribute.Any(a => a.Name == "pads")),
        ("Pad", "pads input (11+)", (o, n) => o is >= 11 and < 18 && n.Input.Count > 1),
        ("Pad", "axes input (18+)", (o, n) => o >= 18 && n.Input.Count > 3),
        ("Dropout", "ratio attribute (< 12)", (o, n) => o < 12 && n.Attribute.Any(a => a.Name == "ratio")),
        ("Dropout", "ratio input (12+)", (o, n) => o >= 12 && n.Input.Count > 1),
        ("Softmax", "coerced to 2-D (< 13)", (o, n) => o < 13),
        ("Softmax", "single axis (13+)", (o, n) => o >= 13),
    ];

    public static TheoryData<string, string> FormNames
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (op, form, _) in Forms)
            {
                data.Add(op, form);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(FormNames))]
    public void OpsetForm_HasAParityCase(string op, string form)
    {
        var matches = Forms.Single(f => f.Op == op && f.Form == form).Matches;
        var cases = OperatorCases.All.Values
            .Where(c => c.Model.Graph.Node.Any(n => n.OpType == op && matches(c.Model.OpsetImport.Single(i => i.Domain.Length == 0).Version, n)))
            .Select(c => c.Name)
            .ToList();
        Assert.True(cases.Count > 0, $"no parity case covers {op} with {form}");
    }
}
