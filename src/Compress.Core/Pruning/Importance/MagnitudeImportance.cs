using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Compress.Pruning.Importance;

/// <summary>Magnitude saliency: a weight's score is |w|.</summary>
public static class MagnitudeImportance
{
    /// <summary>Flat |w| per named parameter (row-major).</summary>
    public static Dictionary<string, float[]> Score(IReadOnlyDictionary<string, Parameter> parameters, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(names);
        var scores = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        foreach (var name in names)
        {
            scores[name] = Flat(parameters[name].detach().abs());
        }

        return scores;
    }

    /// <summary>A tensor's values as a flat float array.</summary>
    internal static float[] Flat(Tensor t) => t.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
}
