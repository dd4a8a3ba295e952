namespace Compress;

/// <summary>
/// The spelling of an enum value in compress.yaml (e.g. <c>speech_commands</c>). It lives in the root namespace so
/// the engines' own enums (Pruning, Training, Data, Features) can carry their YAML names without depending on
/// <c>Compress.Spec</c>, which reads them through <c>Compress.Spec.SpecNames</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class SpecNameAttribute(string name) : Attribute
{
    /// <summary>The YAML spelling.</summary>
    public string Name { get; } = name;
}
