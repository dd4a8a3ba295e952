using System.Reflection;
using System.Text.RegularExpressions;

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
    /// What each folder may depend on, low layers first. This table is the owner; docs/architecture.md repeats it
    /// and <see cref="ArchitectureDoc_ListsTheAllowedDependencies"/> keeps the two equal.
    /// </summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        [Root] = [],
        ["Diagnostics"] = [],
        ["IO"] = [],
        ["Text"] = [],
        ["Runtime"] = ["Diagnostics", "IO"],
        ["Audio"] = ["Diagnostics", "IO"],
        // Evaluation runs ONNX Runtime and owns Tolerance, the parity comparer that the executor and the export share.
        ["Evaluation"] = ["Text", "Diagnostics"],
        ["Reporting"] = ["IO"],
        ["Onnx"] = ["Diagnostics", "IO"],
        ["Architectures"] = ["Onnx"],
        ["Graph"] = ["Onnx", "Evaluation", "Runtime", "Text", "Diagnostics"],
        ["Export"] = ["Graph", "Onnx", "Evaluation", "Diagnostics"],
        ["Data"] = ["Audio", "Text", "Diagnostics"],
        ["Features"] = ["Data", "Audio", "Graph", "Onnx", "Runtime", "Diagnostics"],
        // The engines return their own records (EpochPoint, TensorSparsity, SensitivityPoint); Pipeline's RunReport maps
        // them to the report's schema, so neither engine knows the report.
        ["Training"] = ["Graph", "Onnx", "Text", "Diagnostics"],
        ["Pruning"] = ["Training", "Export", "Graph", "Onnx", "Runtime", "Diagnostics"],
        // Spec reads the engines' option types (their enums carry the YAML names) and checks a spec against a model.
        // Nothing in Core but Pipeline depends on Spec.
        ["Spec"] = ["Pruning", "Training", "Features", "Data", "Export", "Evaluation", "Graph", "Onnx", "Runtime", "Text", "Diagnostics"],
        ["Pipeline"] =
        [
            "Spec", "Reporting", "Pruning", "Training", "Features", "Data", "Audio", "Export", "Evaluation", "Graph", "Onnx",
            "Architectures", "Runtime", "Text", "Diagnostics", "IO",
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
                         $"(allowed: {string.Join(", ", Allowed.GetValueOrDefault(FolderOf(u.FromType)!, []).DefaultIfEmpty("nothing"))})")
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

    [Fact]
    public void Table_NamesOnlyKnownFoldersAndHasNoCycle()
    {
        Assert.All(Allowed.Values.SelectMany(v => v), f => Assert.True(Allowed.ContainsKey(f), $"unknown folder '{f}' in the table"));

        // Depth-first search; a folder met again while still on the path closes a cycle.
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        string? Cycle(string folder)
        {
            if (path.IndexOf(folder) is var at and >= 0)
            {
                return string.Join(" -> ", path[at..].Append(folder));
            }
            if (!done.Add(folder))
            {
                return null;
            }
            path.Add(folder);
            var found = Allowed[folder].Select(Cycle).FirstOrDefault(c => c is not null);
            path.RemoveAt(path.Count - 1);
            return found;
        }

        var cycles = Allowed.Keys.Select(Cycle).OfType<string>().ToList();
        Assert.True(cycles.Count == 0, "the table allows a cycle: " + string.Join("; ", cycles));
    }

    [Fact]
    public void ArchitectureDoc_ListsTheAllowedDependencies()
    {
        // Rows of the form "| `Graph` | `Onnx`, `Evaluation`, ... |" (a dash for none).
        var row = new Regex(@"^\|\s*`(?<folder>\w+)`\s*\|(?<deps>[^|]*)\|");
        var documented = File.ReadAllLines(Path.Combine(Compress.Tests.Shared.PackagedTool.RepositoryRoot, "docs", "architecture.md"))
            .Select(l => row.Match(l)).Where(m => m.Success)
            .ToDictionary(
                m => m.Groups["folder"].Value,
                m => Regex.Matches(m.Groups["deps"].Value, @"`(\w+)`").Select(d => d.Groups[1].Value).Order(StringComparer.Ordinal).ToList());

        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        var differences = Allowed
            .Select(a => (a.Key, Table: a.Value.Order(StringComparer.Ordinal).ToList(), Doc: documented[a.Key]))
            .Where(r => !r.Table.SequenceEqual(r.Doc))
            .Select(r => $"{r.Key}: the test allows [{string.Join(", ", r.Table)}], docs/architecture.md says [{string.Join(", ", r.Doc)}]")
            .ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    private static bool IsAllowed(string from, string to) => from == to || to == Root || Allowed.GetValueOrDefault(from, []).Contains(to);

    /// <summary>The top-level folder of a Compress type (<c>Compress.Pruning.Pruners.X</c> → <c>Pruning</c>, root types →
    /// <c>Compress</c>); null for types the compiler adds outside the Compress namespaces.</summary>
    private static string? FolderOf(Type type) => type.Namespace switch
    {
        Root => Root,
        { } ns when ns.StartsWith(Root + ".", StringComparison.Ordinal) => ns.Split('.')[1],
        _ => null,
    };
}
