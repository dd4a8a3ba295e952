using Compress.Evaluation;

namespace Compress.Core.Tests.Graph;

public static class ParityAssert
{
    /// <summary>Every expected output is present with the same shape; floats within tolerance, integers and booleans exactly.</summary>
    public static void Equal(IReadOnlyDictionary<string, CaseTensor> expected, IReadOnlyDictionary<string, CaseTensor> actual, Tolerance tolerance)
    {
        foreach (var (name, e) in expected)
        {
            Assert.True(actual.TryGetValue(name, out var a), $"output '{name}' missing");
            Assert.True(e.Shape.SequenceEqual(a!.Shape), $"output '{name}': shape [{string.Join(",", a.Shape)}], expected [{string.Join(",", e.Shape)}]");
            switch (e.Data)
            {
                case float[] ef:
                    var comparison = tolerance.Compare(ef, Assert.IsType<float[]>(a.Data), e.Shape);
                    Assert.True(comparison.Passed, $"output '{name}': {comparison}");
                    break;
                case double[] ed:
                    var cd = tolerance.Compare(ed.Select(x => (float)x).ToArray(), Assert.IsType<double[]>(a.Data).Select(x => (float)x).ToArray(), e.Shape);
                    Assert.True(cd.Passed, $"output '{name}': {cd}");
                    break;
                default:
                    Assert.Equal(e.Data.GetType(), a.Data.GetType());
                    Assert.Equal(e.Data.Cast<object>(), a.Data.Cast<object>());
                    break;
            }
        }
    }
}
