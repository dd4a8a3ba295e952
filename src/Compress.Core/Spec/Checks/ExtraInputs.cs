using Compress.Diagnostics;
using Compress.Features;
using Compress.Onnx.Proto;

namespace Compress.Spec.Checks;

/// <summary>The one rule for which graph input takes the features and which need a <c>model.inputs</c> value; <c>validate</c> and <c>run</c> share it.</summary>
public static class ExtraInputs
{
    /// <summary>
    /// The features' input: <paramref name="dataInput"/> (<c>model.input</c>) or the first of <paramref name="inputs"/>
    /// (graph inputs without an initializer) that <paramref name="extras"/> does not name.
    /// </summary>
    public static string? DataInputName(IReadOnlyList<ValueInfoProto> inputs, string? dataInput, IReadOnlyDictionary<string, ExtraInputSpec> extras)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(extras);
        return dataInput ?? inputs.FirstOrDefault(i => !extras.ContainsKey(i.Name))?.Name;
    }

    /// <summary>CMP1043 for each <paramref name="extras"/> entry naming no input; CMP1042 at <paramref name="at"/> listing the inputs that have no value.</summary>
    public static IEnumerable<Diagnostic> Problems(IReadOnlyList<ValueInfoProto> inputs, string? dataInput, IReadOnlyDictionary<string, ExtraInputSpec> extras, ISourceLocation at)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(extras);
        foreach (var name in extras.Keys.Where(k => inputs.All(i => i.Name != k)).Order(StringComparer.Ordinal))
        {
            yield return SpecMessages.ExtraInputInvalid(extras[name].Location, name, $"the model has no such input; its inputs are {string.Join(", ", inputs.Select(i => i.Name))}");
        }

        var data = DataInputName(inputs, dataInput, extras);
        var missing = inputs.Where(i => i.Name != data && !extras.ContainsKey(i.Name)).Select(i => i.Name).ToList();
        if (missing.Count > 0)
        {
            yield return SpecMessages.ExtraInputMissing(at, missing, inputs.Select(i => $"{i.Name} {InputLayout.Describe(i)}{(i.Name == data ? " (features)" : "")}"));
        }
    }
}
