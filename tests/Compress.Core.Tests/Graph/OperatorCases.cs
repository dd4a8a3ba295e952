using System.Reflection;

namespace Compress.Core.Tests.Graph;

/// <summary>
/// All golden parity cases. Each group lives in its own partial file (OperatorCases.&lt;Group&gt;.cs) as a static
/// method marked <see cref="CaseGroupAttribute"/>; this file collects them by reflection.
/// </summary>
public static partial class OperatorCases
{
    private static readonly Lazy<IReadOnlyDictionary<string, OperatorCase>> Cases = new(() =>
    {
        var all = typeof(OperatorCases).GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(m => m.GetCustomAttribute<CaseGroupAttribute>() is not null)
            .SelectMany(m => (IEnumerable<OperatorCase>)m.Invoke(null, null)!)
            .ToList();
        var duplicates = all.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            throw new InvalidOperationException("duplicate case names: " + string.Join(", ", duplicates));
        }

        return all.ToDictionary(c => c.Name);
    });

    public static IReadOnlyDictionary<string, OperatorCase> All => Cases.Value;

    public static TheoryData<string> Names
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in All.Keys.Order(StringComparer.Ordinal))
            {
                data.Add(name);
            }

            return data;
        }
    }
}
