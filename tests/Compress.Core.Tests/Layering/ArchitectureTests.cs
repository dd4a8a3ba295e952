using System.Reflection;

namespace Compress.Core.Tests.Layering;

/// <summary>
/// The dependency rule between the top-level folders (= namespaces) of Compress.Core, enforced over every use of a
/// type: signatures, attributes and method bodies (see <see cref="TypeDependencies"/>). The root namespace
/// <c>Compress</c> (<see cref="SpecNameAttribute"/>) may be used everywhere; a folder may always use itself.
/// </summary>
public sealed class ArchitectureTests
{
    private const string Root = "Compress";

    /// <summary>
    /// What each folder may depend on, low layers first. This table is the owner.
    /// </summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        [Root] = [],
        ["Diagnostics"] = [],
        ["IO"] = ["Diagnostics"],
        ["Runtime"] = ["Diagnostics", "IO"],
        ["Audio"] = ["Diagnostics", "IO"],
        // Evaluation runs ONNX Runtime and owns Tolerance, the parity comparer the executor and the export share.
        ["Evaluation"] = ["Diagnostics"],
        ["Reporting"] = ["Diagnostics", "IO"],
        ["Onnx"] = ["Diagnostics", "IO"],
        ["Architectures"] = ["Onnx"],
        ["Graph"] = ["Onnx", "Evaluation", "Runtime", "Diagnostics", "IO"],
        ["Export"] = ["Graph", "Onnx", "Evaluation", "Diagnostics", "IO"],
        ["Data"] = ["Audio", "Diagnostics", "IO"],
        ["Features"] = ["Data", "Audio", "Graph", "Onnx", "Diagnostics", "IO"],
        // TODO: engine results mapped in Reporting (issue 16): the Reporting entry goes then.
        ["Training"] = ["Graph", "Onnx", "Diagnostics", "Reporting"],
        // TODO: engine results mapped in Reporting (issue 16): the Reporting entry goes then.
        ["Pruning"] = ["Training", "Export", "Graph", "Onnx", "Runtime", "Diagnostics", "Reporting"],
        // Spec holds the engines' option types' spellings and checks a spec against a model; only Pipeline uses Spec.
        ["Spec"] = ["Pruning", "Training", "Features", "Data", "Export", "Evaluation", "Graph", "Onnx", "Diagnostics", "IO"],
        ["Pipeline"] =
        [
            "Spec", "Reporting", "Pruning", "Training", "Features", "Data", "Audio", "Export", "Evaluation", "Graph", "Onnx",
            "Architectures", "Runtime", "Diagnostics", "IO",
        ],
    };

    private static readonly Assembly Core = typeof(SpecNameAttribute).Assembly;

    [Fact]
    public void Folders_UseOnlyTheFoldersTheTableAllows()
    {
        var violations = Core.GetTypes()
            .Where(t => FolderOf(t) is not null)
            .SelectMany(TypeDependencies.Of)
            .Where(u => u.To.Assembly == Core && FolderOf(u.To) is { } to && !IsAllowed(FolderOf(u.FromType)!, to))
            .Select(u => $"{u.From} uses {u.To.FullName}: {FolderOf(u.FromType)} may not depend on {FolderOf(u.To)} " +
                         $"(allowed: {string.Join(", ", Allowed[FolderOf(u.FromType)!].DefaultIfEmpty("nothing"))})")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.True(violations.Count == 0, $"{violations.Count} forbidden dependencies:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void EveryFolder_HasARowInTheTable()
    {
        var unknown = Core.GetTypes().Select(FolderOf).OfType<string>().Distinct()
            .Where(f => !Allowed.ContainsKey(f)).Order(StringComparer.Ordinal).ToList();

        Assert.True(unknown.Count == 0, $"folders without a row in {nameof(ArchitectureTests)}.{nameof(Allowed)}: {string.Join(", ", unknown)}");
    }

    private static bool IsAllowed(string from, string to) => from == to || to == Root || Allowed[from].Contains(to);

    /// <summary>The top-level folder of a Compress type (<c>Compress.Pruning.Pruners.X</c> → <c>Pruning</c>, root types →
    /// <c>Compress</c>); null for types the compiler adds outside the Compress namespaces.</summary>
    private static string? FolderOf(Type type) => type.Namespace switch
    {
        Root => Root,
        { } ns when ns.StartsWith(Root + ".", StringComparison.Ordinal) => ns.Split('.')[1],
        _ => null,
    };
}
